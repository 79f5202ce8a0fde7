package server_test

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"createinfo/internal/legacy"
	"createinfo/internal/server"
	"createinfo/tools/dbtest"
	"createinfo/tools/servertest"
)

// sampleQuery asks for the sample application's tree, the new typed fields included.
const sampleQuery = `query($seqNo: String) {
  applications(seqNo: $seqNo) {
    seqNo phoneNumber idno name status isArchived createDate createTime lastStepDateTime createdAt
    stepBreakPoint {
      step05State step05UpdateTime step06State
      steps { number name state done updatedAt }
      lastCompletedStep { number name }
    }
    createDetails {
      seqNo agreedDate acverinputBank birthYear residentCity applyPurpose
      industry { code name } job { code name } idIssueCity { code name } idIssueWay { code name }
    }
    documentResends { seqNo category resendContent createDateTime resendStatus }
    manualReviewFlags { seqNo }
    manualReviewFlag {
      seqNo ocr z22 aml sameIpDiffEmail bornInUSA createDate createTime z21ExceedTimes special
      firstBackScanError secondScanError
      amlFlagDetail { seqNo isInSanctionList isInPepsList riskLevel rarelyWord }
      ocrFlagDetail { seqNo birthYear idIssueCity idIssueWay { code name } createTime }
      z21FlagDetail { z21ResultCode z21ResultMessage z21NewBussCount }
      z22FlagDetail { z22ActType z22MsgNewSubCode }
      payTaxes { IDNO seqNo countryCode { code name } createdDate createdTime }
    }
    tellerCheckRecords { seqNo tellerNo tellerCheckDate tellerCheckTime createDateTime checkStatus }
    abnormalPid
  }
}`

type codeName struct{ Code, Name string }

type sampleTree struct {
	Applications []struct {
		SeqNo, PhoneNumber, Idno, Name, Status string
		IsArchived                             bool
		CreateDate, CreateTime                 string
		LastStepDateTime, CreatedAt            string
		StepBreakPoint                         struct {
			Step05State, Step05UpdateTime string
			Step06State                   *string
			Steps                         []struct {
				Number    int
				Name      string
				State     *string
				Done      bool
				UpdatedAt *string
			}
			LastCompletedStep struct {
				Number int
				Name   string
			}
		}
		CreateDetails []struct {
			SeqNo, AgreedDate, AcverinputBank, BirthYear, ResidentCity, ApplyPurpose string
			Industry, Job, IDIssueCity, IDIssueWay                                   codeName
		}
		DocumentResends []struct {
			SeqNo                        int
			Category                     string
			ResendContent                []string
			CreateDateTime, ResendStatus string
		}
		ManualReviewFlags []struct{ SeqNo int }
		ManualReviewFlag  struct {
			SeqNo, Ocr, Z22, Aml                int
			SameIpDiffEmail, BornInUSA          bool
			CreateDate, CreateTime              string
			Z21ExceedTimes                      string
			Special                             []string
			FirstBackScanError, SecondScanError bool
			AmlFlagDetail                       struct {
				SeqNo                          int
				IsInSanctionList, IsInPepsList bool
				RiskLevel                      string
				RarelyWord                     bool
			}
			OcrFlagDetail struct {
				SeqNo                              int
				BirthYear, IDIssueCity, CreateTime string
				IDIssueWay                         codeName
			}
			Z21FlagDetail struct{ Z21ResultCode, Z21ResultMessage, Z21NewBussCount string }
			Z22FlagDetail struct{ Z22ActType, Z22MsgNewSubCode string }
			PayTaxes      []struct {
				IDNO                     string
				SeqNo                    int
				CountryCode              codeName
				CreatedDate, CreatedTime string
			}
		}
		TellerCheckRecords []struct {
			SeqNo                                                                   int
			TellerNo, TellerCheckDate, TellerCheckTime, CreateDateTime, CheckStatus string
		}
		AbnormalPid []string
	}
}

func TestSampleApplicationTree(t *testing.T) {
	env := servertest.New(t)
	var got sampleTree
	r := env.GraphQL(t, sampleQuery, map[string]any{"seqNo": sampleSeqNo}, &got)
	if len(r.Errors) > 0 || len(got.Applications) != 1 {
		t.Fatalf("errors %+v, %d applications", r.Errors, len(got.Applications))
	}
	a := got.Applications[0]
	check := func(name string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", name, got, want)
		}
	}
	check("seqNo", a.SeqNo, sampleSeqNo)
	check("phoneNumber", a.PhoneNumber, "0988123456")
	check("idno", a.Idno, "N123456789")
	check("name", a.Name, "王小明")
	check("status", a.Status, "L0")
	check("isArchived", a.IsArchived, true)
	check("createDate", a.CreateDate, "2020-02-12")
	check("createTime", a.CreateTime, "07:51:28")
	check("lastStepDateTime", a.LastStepDateTime, "2020-02-12 07:51:28")
	check("createdAt", a.CreatedAt, "2020-02-11T23:51:28Z")

	sbp := a.StepBreakPoint
	check("step05State", sbp.Step05State, "Y")
	check("step05UpdateTime", sbp.Step05UpdateTime, "07:58:45")
	check("step06State", sbp.Step06State, (*string)(nil))
	check("steps", len(sbp.Steps), 11)
	for i, s := range sbp.Steps {
		check("step number", s.Number, i+1)
		check("step done", s.Done, i < 5)
	}
	check("step 1 name", sbp.Steps[0].Name, "手機與身分證輸入")
	check("step 8 name", sbp.Steps[7].Name, "FaceID")
	check("lastCompletedStep", sbp.LastCompletedStep.Number, 5)
	check("lastCompletedStep name", sbp.LastCompletedStep.Name, "OCR第一證件確認")

	if len(a.CreateDetails) != 1 {
		t.Fatalf("createDetails: %d", len(a.CreateDetails))
	}
	d := a.CreateDetails[0]
	check("agreedDate", d.AgreedDate, "2020-05-13T09:44:50.780Z")
	check("acverinputBank", d.AcverinputBank, "808")
	check("birthYear", d.BirthYear, "94")
	check("residentCity", d.ResidentCity, "28")
	check("industry", d.Industry, codeName{"14220", "公用事業設施工程業"})
	check("job", d.Job, codeName{"10009", "軍人(士官以下)"})
	check("idIssueCity", d.IDIssueCity, codeName{"10001", "北縣"})
	check("idIssueWay", d.IDIssueWay, codeName{"2", "補發"})

	check("resends", len(a.DocumentResends), 2)
	check("resend 1", a.DocumentResends[0].ResendContent, []string{"OCR1234894894994"})
	check("resend 1 category", a.DocumentResends[0].Category, "FIRST_CERTIFICATE")
	check("resend 2", a.DocumentResends[1].ResendContent, []string{"imageId00001", "imageId00002"})
	check("resend createDateTime", a.DocumentResends[0].CreateDateTime, "2020-04-09 05:21:07")

	f := a.ManualReviewFlag
	check("flags", len(a.ManualReviewFlags), 1)
	check("flag ids", []int{f.SeqNo, f.Ocr, f.Z22, f.Aml}, []int{1, 1, 1, 1})
	check("flag createTime", f.CreateTime, "11:22:33")
	check("special", f.Special, []string{"NextUserLoan"})
	check("z21ExceedTimes", f.Z21ExceedTimes, "3N")
	check("aml riskLevel", f.AmlFlagDetail.RiskLevel, "HIGH")
	check("aml sanction", f.AmlFlagDetail.IsInSanctionList, true)
	check("aml rarelyWord", f.AmlFlagDetail.RarelyWord, true)
	check("ocr idIssueWay", f.OcrFlagDetail.IDIssueWay, codeName{"2", "補發"})
	check("ocr createTime", f.OcrFlagDetail.CreateTime, "00:11:22")
	check("z21", f.Z21FlagDetail.Z21ResultMessage, "查無資料")
	check("z21 count", f.Z21FlagDetail.Z21NewBussCount, "5")
	check("z22", f.Z22FlagDetail.Z22ActType, "A0,F1,B2")
	check("payTaxes", len(f.PayTaxes), 2)
	check("payTax 1", f.PayTaxes[0].CountryCode, codeName{"TW", "台灣"})
	check("payTax 1 IDNO", f.PayTaxes[0].IDNO, "N123456789")
	check("payTax 1 created", f.PayTaxes[0].CreatedDate+" "+f.PayTaxes[0].CreatedTime, "2020-02-20 11:20:04")
	check("payTax 2", f.PayTaxes[1].CountryCode, codeName{"US", "美國"})

	check("teller records", len(a.TellerCheckRecords), 1)
	check("teller check", a.TellerCheckRecords[0].TellerCheckDate+" "+a.TellerCheckRecords[0].TellerCheckTime, "2020-02-12 07:51:28")
	check("teller createDateTime", a.TellerCheckRecords[0].CreateDateTime, "2020-04-09 05:21:07")

	check("abnormalPid", a.AbnormalPid, []string{"A123456789", "B123456789", "C123456789"})
}

const resendsQuery = `query($seqNo: String) {
  applications(seqNo: $seqNo) { documentResends { seqNo category resendContent } }
}`

type resends struct {
	Applications []struct {
		DocumentResends []struct {
			SeqNo         int
			Category      string
			ResendContent []string
		}
	}
}

func (r resends) content() map[int][]string {
	out := map[int][]string{}
	for _, d := range r.Applications[0].DocumentResends {
		out[d.SeqNo] = d.ResendContent
	}
	return out
}

func TestResendContentRules(t *testing.T) {
	env := servertest.New(t)
	var got resends
	env.GraphQL(t, resendsQuery, map[string]any{"seqNo": appB}, &got)
	want := map[int][]string{
		3: {"7001", "7002"},    // EDD: the surveys' seqNos
		4: {},                  // LOSS_NATIONALITY_PROOF without an image
		5: {"OCR-B-SECOND-01"}, // SECOND_CERTIFICATE: the OCR image
	}
	if !reflect.DeepEqual(got.content(), want) {
		t.Errorf("application B: %v, want %v", got.content(), want)
	}

	// Financial proof follows the mapping rows: delete one, undelete another, add a category
	// with no rule.
	env.Exec(t, `UPDATE account.resend_to_financial_mapping SET is_delete = (seq_no = 1)`)
	env.Exec(t, `INSERT INTO account.document_resend (seq_no, create_master_seq_no, category, ocr_image_id, create_time)
		VALUES (99, $1, 'OTHER', 'IMG-IGNORED', '2021-01-01 00:00:00+08')`, sampleSeqNo)
	got = resends{}
	env.GraphQL(t, resendsQuery, map[string]any{"seqNo": sampleSeqNo}, &got)
	want = map[int][]string{
		1:  {"OCR1234894894994"},
		2:  {"imageId00003", "imageId00002"}, // mapping order: seq 2 (FILE-00003), seq 3 (FILE-00002)
		99: {},
	}
	if !reflect.DeepEqual(got.content(), want) {
		t.Errorf("sample after changes: %v, want %v", got.content(), want)
	}
}

const flagsQuery = `query($seqNo: String) {
  applications(seqNo: $seqNo) { manualReviewFlags { seqNo special } manualReviewFlag { seqNo special } }
}`

type flags struct {
	Applications []struct {
		ManualReviewFlags []struct {
			SeqNo   int
			Special []string
		}
		ManualReviewFlag struct {
			SeqNo   int
			Special []string
		}
	}
}

func TestSpecialBitsAndNewestFlag(t *testing.T) {
	env := servertest.New(t)
	var got flags
	env.GraphQL(t, flagsQuery, map[string]any{"seqNo": appC}, &got)
	a := got.Applications[0]
	if len(a.ManualReviewFlags) != 2 || a.ManualReviewFlags[0].SeqNo != 2 || a.ManualReviewFlags[1].SeqNo != 3 {
		t.Fatalf("flags oldest first: %+v", a.ManualReviewFlags)
	}
	if !reflect.DeepEqual(a.ManualReviewFlags[0].Special, []string{}) {
		t.Errorf("no bits: %v", a.ManualReviewFlags[0].Special)
	}
	if a.ManualReviewFlag.SeqNo != 3 || !reflect.DeepEqual(a.ManualReviewFlag.Special, []string{"NextUserLoan", "BIT_4"}) {
		t.Errorf("newest flag: %+v", a.ManualReviewFlag)
	}

	env.Exec(t, `UPDATE account.manual_review_flag SET special = 2 + 1099511627776 WHERE seq_no = 3`)
	got = flags{}
	env.GraphQL(t, flagsQuery, map[string]any{"seqNo": appC}, &got)
	if s := got.Applications[0].ManualReviewFlag.Special; !reflect.DeepEqual(s, []string{"BIT_2", "BIT_1099511627776"}) {
		t.Errorf("unknown bits: %v", s)
	}

	// An application without flags has an empty list and a null newest flag.
	got = flags{}
	r := env.GraphQL(t, flagsQuery, map[string]any{"seqNo": appA}, &got)
	if len(r.Errors) > 0 || len(got.Applications[0].ManualReviewFlags) != 0 || got.Applications[0].ManualReviewFlag.SeqNo != 0 {
		t.Errorf("no flags: %+v %s", r.Errors, r.Data)
	}
}

const abnormalQuery = `query($idno: String) { applications(idno: $idno) { seqNo abnormalPid } }`

func TestAbnormalPid(t *testing.T) {
	env := servertest.New(t)
	read := func() map[string][]string {
		var got struct {
			Applications []struct {
				SeqNo       string
				AbnormalPid []string
			}
		}
		env.GraphQL(t, abnormalQuery, map[string]any{"idno": "N123456789"}, &got)
		out := map[string][]string{}
		for _, a := range got.Applications {
			out[a.SeqNo] = a.AbnormalPid
		}
		return out
	}
	want := map[string][]string{
		sampleSeqNo: {"A123456789", "B123456789", "C123456789"},
		appN2:       {},
	}
	if got := read(); !reflect.DeepEqual(got, want) {
		t.Errorf("demo: %v, want %v", got, want)
	}
	// The applicant's own idno joins the list once it is listed, sorted and once only.
	env.Exec(t, `INSERT INTO account.abnormal_account (idno) VALUES ('N123456789')`)
	want = map[string][]string{
		sampleSeqNo: {"A123456789", "B123456789", "C123456789", "N123456789"},
		appN2:       {"N123456789"},
	}
	if got := read(); !reflect.DeepEqual(got, want) {
		t.Errorf("with N listed: %v, want %v", got, want)
	}
}

// TestHostZoneDoesNotShow runs the sample tree again on hosts set to Taipei and to UTC: the
// DateTime fields (UTC) and the legacy strings (TIME_ZONE) must come out the same.
func TestHostZoneDoesNotShow(t *testing.T) {
	dbtest.RerunInZones(t, "^TestSampleApplicationTree$", "Asia/Taipei", "UTC", "America/New_York")
}

// TestLegacyZoneIsPassedIn: the legacy strings are written in the zone the service is given
// (TIME_ZONE), the DateTime fields stay UTC.
func TestLegacyZoneIsPassedIn(t *testing.T) {
	env := servertest.New(t, func(o *server.Options) { o.TimeZone = time.UTC })
	var got struct {
		Applications []struct{ CreateDate, CreateTime, LastStepDateTime, CreatedAt string }
	}
	r := env.GraphQL(t, `query($seqNo: String) { applications(seqNo: $seqNo) {
		createDate createTime lastStepDateTime createdAt } }`, map[string]any{"seqNo": sampleSeqNo}, &got)
	if len(r.Errors) > 0 || len(got.Applications) != 1 {
		t.Fatalf("errors %+v, %d applications", r.Errors, len(got.Applications))
	}
	a := got.Applications[0]
	if a.CreateDate != "2020-02-11" || a.CreateTime != "23:51:28" || a.LastStepDateTime != "2020-02-11 23:51:28" ||
		a.CreatedAt != "2020-02-11T23:51:28Z" {
		t.Errorf("in UTC: %+v", a)
	}
}

// TestNoNPlusOne proves the loaders batch: each query shape runs an exact number of
// statements, the same for a phone with 50 applications as for a phone with 1. The figures
// are one for the applications plus one per relation the shape selects (code tables not
// cached): a change in them is a change in the service's database load, to be made on purpose.
func TestNoNPlusOne(t *testing.T) {
	env := servertest.New(t)
	insertApplications(t, env, "0900000001", "ONE", 1)
	insertApplications(t, env, "0900000050", "FIFTY", 50)
	shapes := []struct {
		name, query string
		want        int64
	}{
		// 1 applications; 7 stepBreakPoint, createDetails, documentResends (with their
		// content's EDD surveys and financial images, aggregated in the resends' statement:
		// store.Resends), manualReviewFlags (with their AML, OCR, Z21 and Z22 details, joined
		// in the flags' statement), tellerCheckRecords, abnormalPid, and the flags' payTaxes,
		// keyed by the application's seqNo and read in the same round (graph/relations.go,
		// soon); 4 industry, job, idIssueCity, idIssueWay of the details; 1 idIssueWay of the
		// OCR details; 1 country of the pay taxes. Issue 19 (E4) took it from 16: the content's
		// two statements, a round after the resends', went into the resends' statement.
		{"full legacy tree", legacy.Document(), 14},
		// The customer-service screen of README.md.
		{"customer-service screen", `query($phone: String) { applications(phone: $phone) {
			seqNo idno status stepBreakPoint { lastCompletedStep { number name } } abnormalPid } }`, 3},
		{"single field", `query($phone: String) { applications(phone: $phone) { seqNo } }`, 1},
	}
	for _, s := range shapes {
		count := func(phone string, want int) int64 {
			var got seqNos
			r := env.GraphQL(t, s.query, map[string]any{"phone": phone}, &got)
			if len(r.Errors) > 0 || len(got.Applications) != want {
				t.Fatalf("%s, %s: %+v, %d applications", s.name, phone, r.Errors, len(got.Applications))
			}
			return env.LastStatements()
		}
		one, fifty := count("0900000001", 1), count("0900000050", 50)
		if one != s.want || fifty != s.want {
			t.Errorf("%s: %d statements for 1 application, %d for 50, want %d", s.name, one, fifty, s.want)
		}
	}
}

// insertApplications adds n applications on phone, each with every kind of child.
func insertApplications(t *testing.T, env *servertest.Env, phone, prefix string, n int) {
	t.Helper()
	// The values are the test's own constants, so they are spliced into one multi-statement
	// script (parameters would need one round trip per statement).
	script := `
INSERT INTO account.create_master (seq_no, phone_number, idno, status, create_time)
SELECT $1 || '-' || i, $2, 'Q' || lpad(i::text, 9, '0'), 'L0', now() - i * interval '1 day'
FROM generate_series(1, $3::int) i;
INSERT INTO account.step_break_point (seq_no, create_master_seq_no, step01_state, step01_update_time)
SELECT 'SBP-' || seq_no, seq_no, 'Y', create_time FROM account.create_master WHERE phone_number = $2;
INSERT INTO account.create_detail (seq_no, create_master_seq_no, industry_code, job_code, id_issue_city_code, id_issue_way_code)
SELECT 'CD-' || seq_no || '-' || k, seq_no, '14220', '10009', '10001', '2'
FROM account.create_master, generate_series(1, 2) k WHERE phone_number = $2;
INSERT INTO account.aml_flag_detail (seq_no, risk_level) SELECT $4 + i, 'LOW' FROM generate_series(1, $3::int) i;
INSERT INTO account.ocr_flag_detail (seq_no, id_issue_way_code) SELECT $4 + i, '1' FROM generate_series(1, $3::int) i;
INSERT INTO account.z21_flag_detail (seq_no, z21_result_code) SELECT $4 + i, '0' FROM generate_series(1, $3::int) i;
INSERT INTO account.z22_flag_detail (seq_no, z22_act_type) SELECT $4 + i, 'A' FROM generate_series(1, $3::int) i;
INSERT INTO account.manual_review_flag (seq_no, create_master_seq_no, aml, ocr, z21, z22, special)
SELECT $4 + n, seq_no, $4 + n, $4 + n, $4 + n, $4 + n, 1
FROM (SELECT seq_no, row_number() OVER (ORDER BY seq_no) n FROM account.create_master WHERE phone_number = $2) m;
INSERT INTO account.pay_taxes (seq_no, idno, country_code)
SELECT $4 + row_number() OVER (ORDER BY seq_no), idno, 'US' FROM account.create_master WHERE phone_number = $2;
INSERT INTO account.teller_check_record (seq_no, create_master_seq_no, teller_no)
SELECT $4 + row_number() OVER (ORDER BY seq_no), seq_no, 'T1' FROM account.create_master WHERE phone_number = $2;
INSERT INTO account.document_resend (seq_no, create_master_seq_no, category)
SELECT $4 + 3 * row_number() OVER (ORDER BY seq_no) + k, seq_no, (ARRAY['EDD','FINANCIAL_PROOF','FIRST_CERTIFICATE'])[k]
FROM account.create_master, generate_series(0, 2) k WHERE phone_number = $2;
INSERT INTO account.edd_survey (seq_no, document_resend_seq_no)
SELECT seq_no, seq_no FROM account.document_resend WHERE category = 'EDD' AND seq_no >= $4;
INSERT INTO account.resend_to_financial_mapping (seq_no, document_resend_seq_no, file_id)
SELECT seq_no, seq_no, 'FILE-00001' FROM account.document_resend WHERE category = 'FINANCIAL_PROOF' AND seq_no >= $4;`
	script = strings.NewReplacer("$1", "'"+prefix+"'", "$2", "'"+phone+"'", "$3", strconv.Itoa(n),
		"$4", strconv.Itoa(100000+10*n)).Replace(script) // disjoint ids for different n
	env.Exec(t, script)
}
