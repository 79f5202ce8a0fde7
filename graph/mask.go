package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"createinfo/internal/auth"
)

// Masks, as the console has always drawn them on screen (internal/console/static/app.js), now
// applied by the server: an agent's response never holds the clear value.
type mask func(string) string

var (
	// maskName keeps the first and last character: 王小明 → 王○明, 陳美 → 陳○.
	maskName mask = func(s string) string {
		c := []rune(s)
		switch len(c) {
		case 0:
			return s
		case 1:
			return "○"
		case 2:
			return string(c[0]) + "○"
		}
		return string(c[0]) + strings.Repeat("○", len(c)-2) + string(c[len(c)-1])
	}
	// maskIdno keeps three characters at each end: N123456789 → N12****789.
	maskIdno mask = func(s string) string { return keepEnds(s, 3, 3) }
	// maskPhone keeps four digits in front and three at the end: 0988123456 → 0988***456.
	maskPhone mask = func(s string) string { return keepEnds(s, 4, 3) }
	// maskAddress keeps the first three characters (the city): 台北市信義路五段7號 → 台北市○○○○○○○.
	maskAddress mask = func(s string) string {
		c := []rune(s)
		if len(c) <= 3 {
			return strings.Repeat("○", len(c))
		}
		return string(c[:3]) + strings.Repeat("○", min(len(c)-3, 8))
	}
	// maskEmail keeps the first character and the domain: a@example.com → a***@example.com.
	maskEmail mask = func(s string) string {
		local, domain, ok := strings.Cut(s, "@")
		if !ok || local == "" {
			return maskHidden(s)
		}
		return string([]rune(local)[0]) + "***@" + domain
	}
	// maskHidden shows nothing but a length bounded to 8: dates of birth, addresses of devices.
	maskHidden mask = func(s string) string { return strings.Repeat("*", min(len([]rune(s)), 8)) }
)

func keepEnds(s string, front, back int) string {
	c := []rune(s)
	if len(c) <= front+back {
		return strings.Repeat("*", len(c))
	}
	return string(c[:front]) + strings.Repeat("*", len(c)-front-back) + string(c[len(c)-back:])
}

// personal is every field of the schema that holds a customer's personal data, as Type.field,
// with its mask: what an agent gets unless it reveals the application (revealApplication).
// notPersonal lists the other String fields one by one (no wildcards, so that a field added
// to any type is decided), each looked at and found to hold none: codes, statuses, dates of
// the process, staff ids, file names, seqNos, and the staff's own free text (memos, resend
// reasons), which agents need clear. A test walks the schema and fails on a String field in
// neither list, so a new field is classified before it is served. tools/cmd/gqlgen reads the
// keys of this literal (the generated code masks the fields it marshals without a field
// context): run `make generate` after changing them (make check-generated fails until then).
var personal = map[string]mask{
	"Application.phoneNumber": maskPhone,
	"Application.idno":        maskIdno,
	"Application.name":        maskName,
	"Application.abnormalPid": maskIdno, // ID numbers that differ from the application's

	"CreateDetail.imei":            maskHidden, // device id
	"CreateDetail.ipv4":            maskHidden,
	"CreateDetail.ipv6":            maskHidden,
	"CreateDetail.deviceRecord":    maskHidden,
	"CreateDetail.gps":             maskHidden,
	"CreateDetail.organization":    maskAddress, // employer
	"CreateDetail.acverinputAccNo": maskIdno,    // account number
	"CreateDetail.idno":            maskIdno,
	"CreateDetail.name":            maskName,
	"CreateDetail.aboriginalName":  maskName,
	"CreateDetail.spouse":          maskName,
	"CreateDetail.birthYear":       maskHidden,
	"CreateDetail.birthMonth":      maskHidden,
	"CreateDetail.birthDate":       maskHidden,
	"CreateDetail.idIssueYear":     maskHidden, // the ID card's issue date verifies identity
	"CreateDetail.idIssueMonth":    maskHidden,
	"CreateDetail.idIssueDate":     maskHidden,
	"CreateDetail.residentAddress": maskAddress,
	"CreateDetail.cardName":        maskName,
	"CreateDetail.cardEmail":       maskEmail,
	"CreateDetail.cardAddress":     maskAddress,
	"CreateDetail.userID":          maskIdno, // the customer's sign-in name

	"OcrFlagDetail.birthYear":      maskHidden,
	"OcrFlagDetail.birthMonth":     maskHidden,
	"OcrFlagDetail.birthDate":      maskHidden,
	"OcrFlagDetail.idIssueYear":    maskHidden,
	"OcrFlagDetail.idIssueMonth":   maskHidden,
	"OcrFlagDetail.idIssueDate":    maskHidden,
	"OcrFlagDetail.address":        maskAddress,
	"OcrFlagDetail.firstBack":      maskIdno, // numbers read off the ID card
	"OcrFlagDetail.firstFront":     maskIdno,
	"OcrFlagDetail.secondFront":    maskIdno,
	"OcrFlagDetail.name":           maskName,
	"OcrFlagDetail.aboriginalName": maskName,
	"OcrFlagDetail.spouse":         maskName,
	"OcrFlagDetail.birthPlace":     maskAddress,
	"OcrFlagDetail.naturalFather":  maskName,
	"OcrFlagDetail.naturalMother":  maskName,
	"OcrFlagDetail.barCode":        maskIdno,
	"OcrFlagDetail.serialNo":       maskIdno,

	"PayTax.IDNO":    maskIdno,
	"PayTax.taxesNo": maskIdno, // a foreign tax identification number
}

var notPersonal = []string{
	"Query.__typename",
	"Application.seqNo", "Application.mgmCode", "Application.status", "Application.rejectMemo",
	"Application.createDate", "Application.updateDate", "Application.createTime", "Application.updateTime",
	"Application.lastStepDateTime", "Application.memberProfileSeqNo",
	"Step.name", "Step.state",
	// The steps' states and the dates they changed.
	"StepBreakPoint.seqNo",
	"StepBreakPoint.step01State", "StepBreakPoint.step01UpdateDate", "StepBreakPoint.step01UpdateTime",
	"StepBreakPoint.step02State", "StepBreakPoint.step02UpdateDate", "StepBreakPoint.step02UpdateTime",
	"StepBreakPoint.step03State", "StepBreakPoint.step03UpdateDate", "StepBreakPoint.step03UpdateTime",
	"StepBreakPoint.step04State", "StepBreakPoint.step04UpdateDate", "StepBreakPoint.step04UpdateTime",
	"StepBreakPoint.step05State", "StepBreakPoint.step05UpdateDate", "StepBreakPoint.step05UpdateTime",
	"StepBreakPoint.step06State", "StepBreakPoint.step06UpdateDate", "StepBreakPoint.step06UpdateTime",
	"StepBreakPoint.step07State", "StepBreakPoint.step07UpdateDate", "StepBreakPoint.step07UpdateTime",
	"StepBreakPoint.step08State", "StepBreakPoint.step08UpdateDate", "StepBreakPoint.step08UpdateTime",
	"StepBreakPoint.step09State", "StepBreakPoint.step09UpdateDate", "StepBreakPoint.step09UpdateTime",
	"StepBreakPoint.step10State", "StepBreakPoint.step10UpdateDate", "StepBreakPoint.step10UpdateTime",
	"StepBreakPoint.step11State", "StepBreakPoint.step11UpdateDate", "StepBreakPoint.step11UpdateTime",
	"StepBreakPoint.createDate", "StepBreakPoint.createTime", "StepBreakPoint.updateDate", "StepBreakPoint.updateTime",
	"CodeName.code", "CodeName.name",
	"CreateDetail.seqNo", "CreateDetail.createMasterSeqNo", "CreateDetail.termGeneralAgrmt",
	"CreateDetail.termMemberService", "CreateDetail.termPointMarketingAgrmt", "CreateDetail.termCommonMarketingAgrmt",
	"CreateDetail.termPersonalAgrmt", "CreateDetail.agreedDate", "CreateDetail.applyPurpose",
	"CreateDetail.acverinputBank", "CreateDetail.acverinputDate", "CreateDetail.gender", "CreateDetail.residentCity",
	"CreateDetail.residentDistrict", "CreateDetail.residentPostalCode", "CreateDetail.firstFront",
	"CreateDetail.firstBack", "CreateDetail.ocrSecFrontImageID", "CreateDetail.videoViewFileName",
	"CreateDetail.videoSoundFileName", "CreateDetail.cardFace", "CreateDetail.cardCity", "CreateDetail.cardArea",
	"CreateDetail.cardAddressCode", "CreateDetail.createAccountStatus",
	// What was asked again, why, and when.
	"DocumentResend.createMasterSeqNo", "DocumentResend.resendProdType", "DocumentResend.category",
	"DocumentResend.resendStatus", "DocumentResend.createDateTime", "DocumentResend.updateDateTime",
	"DocumentResend.resendContent", // image ids and survey seqNos, not their content
	// Free text written by staff about the documents: kept clear, agents need it.
	"DocumentResend.resendReason", "DocumentResend.resendRejectReason",
	"ManualReviewFlag.createMasterSeqNo", "ManualReviewFlag.createDate", "ManualReviewFlag.updateDate",
	"ManualReviewFlag.createTime", "ManualReviewFlag.updateTime",
	"ManualReviewFlag.sameIpWithDiffPidDatetime", // when the flag was raised, not the other applicants
	"ManualReviewFlag.z21ExceedTimes",            // a release code: R, 3N or W
	"ManualReviewFlag.special",                   // names of flag bits
	"AmlFlagDetail.riskLevel",
	"OcrFlagDetail.createMasterSeqNo", "OcrFlagDetail.idIssueCity", "OcrFlagDetail.city", "OcrFlagDetail.district",
	"OcrFlagDetail.postalCode", "OcrFlagDetail.military", "OcrFlagDetail.gender", "OcrFlagDetail.createDate",
	"OcrFlagDetail.updateDate", "OcrFlagDetail.createTime", "OcrFlagDetail.updateTime",
	// The credit bureau's (JCIC) verification results: codes, their standard descriptions and a count.
	"Z21FlagDetail.z21ResultCode", "Z21FlagDetail.z21ResultMessage", "Z21FlagDetail.z21NewBussCount",
	"Z22FlagDetail.z22ActType", "Z22FlagDetail.z22MsgNewSubCode",
	"PayTax.createdDate", "PayTax.createdTime", "PayTax.updateDate", "PayTax.updateTime",
	"TellerCheckRecord.createMasterSeqNo", "TellerCheckRecord.checkStatus",
	"TellerCheckRecord.tellerNo", "TellerCheckRecord.managerNo", // staff ids, not customers'
	"TellerCheckRecord.tellerCheckDate", "TellerCheckRecord.tellerCheckTime",
	"TellerCheckRecord.managerCheckDate", "TellerCheckRecord.managerCheckTime",
	"TellerCheckRecord.createDateTime", "TellerCheckRecord.updateDateTime",
	"TellerCheckRecord.tellerMemo",  // free text written by staff: kept clear, agents need it
	"TellerCheckRecord.managerMemo", // free text written by staff: kept clear, agents need it
}

// masker is the executor's field interceptor that masks personal fields for agents, in both
// ways in, after the resolvers (and the lookup's conditions, matched on clear values) ran.
// Under revealApplication it leaves them clear: that field is the one audited way to see them.
// The personal fields read straight off the models skip the interceptor (gqlgen's generated
// code marshals them without a field context: tools/cmd/gqlgen, lean.go) and are masked by
// the same rule in maskedString and maskedStringPtr, called by that code.
type masker struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.FieldInterceptor
} = masker{}

func (masker) ExtensionName() string                   { return "Mask" }
func (masker) Validate(graphql.ExecutableSchema) error { return nil }

// personalByType is personal by type and field, so that the interceptor, which sees every
// field of every response, finds a field without building its name; the caller's role is
// looked up only for personal fields.
var personalByType = func() map[string]map[string]mask {
	m := map[string]map[string]mask{}
	for key, f := range personal {
		typ, field, _ := strings.Cut(key, ".")
		if m[typ] == nil {
			m[typ] = map[string]mask{}
		}
		m[typ][field] = f
	}
	return m
}()

func (masker) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if err != nil || res == nil {
		return res, err
	}
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil {
		return res, err
	}
	m := personalByType[fc.Object][fc.Field.Name]
	if m == nil || !masks(ctx, fc) {
		return res, err
	}
	switch v := res.(type) {
	case *string:
		if v == nil {
			return res, nil
		}
		s := m(*v)
		return &s, nil
	case string:
		return m(v), nil
	case []string:
		out := make([]string, len(v))
		for i, s := range v {
			out[i] = m(s)
		}
		return out, nil
	}
	return res, err
}

// masks reports whether the personal fields of the field fc (or below it) are masked for the
// caller in ctx: an agent's, outside revealApplication.
func masks(ctx context.Context, fc *graphql.FieldContext) bool {
	return auth.FromContext(ctx).Role == auth.RoleAgent && !underReveal(fc)
}

// maskedString and maskedStringPtr apply the masker's rule to the personal field key
// ("Type.field") of the string types that the generated code marshals without a field
// context of its own (tools/cmd/gqlgen, lean.go): ctx is the field's parent's, below the
// same root field, so the rule decides as it would in InterceptField.
func maskedString(ctx context.Context, key string, v string) string {
	if !masks(ctx, graphql.GetFieldContext(ctx)) {
		return v
	}
	return personal[key](v)
}

func maskedStringPtr(ctx context.Context, key string, v *string) *string {
	if v == nil || !masks(ctx, graphql.GetFieldContext(ctx)) {
		return v
	}
	s := personal[key](*v)
	return &s
}

// underReveal reports whether fc is below the root field revealApplication.
// List elements have contexts of their own, without a field.
func underReveal(fc *graphql.FieldContext) bool {
	root := ""
	for ; fc != nil; fc = fc.Parent {
		if fc.Field.Field != nil {
			root = fc.Field.Name
		}
	}
	return root == revealField
}
