package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"createinfo/models"
)

// The floor: one hand-written statement that builds the whole legacy tree as JSON inside
// PostgreSQL, served by a minimal handler. It exists only here, to tell how fast the lookup
// could be; the service never uses it.

type pair struct{ key, expr string }

// obj builds a JSON object of pairs; jsonb_build_object takes at most 100 arguments, so wide
// objects are built in parts and concatenated.
func obj(pairs ...pair) string {
	var parts []string
	for start := 0; start < len(pairs); start += 40 {
		var args []string
		for _, p := range pairs[start:min(start+40, len(pairs))] {
			args = append(args, "'"+p.key+"', "+p.expr)
		}
		parts = append(parts, "jsonb_build_object("+strings.Join(args, ", ")+")")
	}
	return "(" + strings.Join(parts, " || ") + ")"
}

// cols maps each key to the column of the same name in snake case, alias a.
func cols(alias string, keys ...string) []pair {
	var out []pair
	for _, k := range keys {
		col := k
		if i := strings.IndexByte(k, '='); i >= 0 {
			k, col = k[:i], k[i+1:]
		} else {
			col = snake(k)
		}
		out = append(out, pair{k, alias + "." + col})
	}
	return out
}

func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func date(col string) string {
	return "to_char(" + col + " AT TIME ZONE '" + models.DefaultZoneName + "', 'YYYY-MM-DD')"
}
func clock(col string) string {
	return "to_char(" + col + " AT TIME ZONE '" + models.DefaultZoneName + "', 'HH24:MI:SS')"
}
func dt(col string) string {
	return "to_char(" + col + " AT TIME ZONE '" + models.DefaultZoneName + "', 'YYYY-MM-DD HH24:MI:SS')"
}
func iso(col string) string {
	return "to_char(" + col + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
}
func code(table, col string) string {
	return "(SELECT jsonb_build_object('code', c.code, 'name', c.name) FROM account." + table + " c WHERE c.code = " + col + ")"
}
func list(expr, from, order string) string {
	return "coalesce((SELECT jsonb_agg(" + expr + " ORDER BY " + order + ") FROM " + from + "), '[]')"
}
func stamps(alias string) []pair {
	return []pair{{"createDate", date(alias + ".create_time")}, {"createTime", clock(alias + ".create_time")},
		{"updateDate", date(alias + ".update_time")}, {"updateTime", clock(alias + ".update_time")}}
}

func floorQuery() string {
	var steps []pair
	for n := 1; n <= 11; n++ {
		c := fmt.Sprintf("s.step%02d", n)
		steps = append(steps, pair{fmt.Sprintf("step%02dState", n), c + "_state"},
			pair{fmt.Sprintf("step%02dUpdateDate", n), date(c + "_update_time")},
			pair{fmt.Sprintf("step%02dUpdateTime", n), clock(c + "_update_time")})
	}
	sbp := obj(append(append([]pair{{"seqNo", "s.seq_no"}}, steps...), stamps("s")...)...)

	detail := obj(append(append(cols("d", "seqNo", "createMasterSeqNo", "imei", "ipv4", "ipv6", "deviceRecord", "gps",
		"termGeneralAgrmt", "termMemberService", "termPointMarketingAgrmt", "termCommonMarketingAgrmt",
		"termPersonalAgrmt", "isAgreed3thPartyUsed=is_agreed_3th_party_used", "applyPurpose", "organization",
		"isSalaryAccount", "acverinputBank", "acverinputAccNo", "isFatca", "isPayTaxes", "isTwTaxPayer", "idno",
		"name", "aboriginalName", "gender", "spouse", "birthYear", "birthMonth", "birthDate", "idIssueYear",
		"idIssueMonth", "idIssueDate", "residentCity", "residentDistrict", "residentAddress", "residentPostalCode",
		"firstFront", "firstBack", "ocrSecFrontImageID=ocr_sec_front_image_id", "isModified", "videoViewFileName",
		"videoSoundFileName", "cardFace", "cardName", "cardEmail", "cardCity", "cardArea", "cardAddress",
		"cardAddressCode", "userID=user_id", "createAccountStatus"),
		pair{"agreedDate", iso("d.agreed_date")}, pair{"acverinputDate", iso("d.acverinput_date")},
		pair{"industry", code("industry", "d.industry_code")}, pair{"job", code("job", "d.job_code")},
		pair{"idIssueCity", code("id_issue_city", "d.id_issue_city_code")},
		pair{"idIssueWay", code("id_issue_way", "d.id_issue_way_code")}), pair{"psd", "NULL"})...)

	content := `CASE
	    WHEN r.category IN ('FIRST_CERTIFICATE', 'SECOND_CERTIFICATE', 'LOSS_NATIONALITY_PROOF')
	        THEN CASE WHEN coalesce(r.ocr_image_id, '') = '' THEN '[]'::jsonb ELSE jsonb_build_array(r.ocr_image_id) END
	    WHEN r.category = 'EDD' THEN ` + list("e.seq_no::text", "account.edd_survey e WHERE e.document_resend_seq_no = r.seq_no", "e.seq_no") + `
	    WHEN r.category = 'FINANCIAL_PROOF' THEN ` + list("f.image_id", "account.resend_to_financial_mapping fm JOIN account.financial_statement f ON f.file_id = fm.file_id WHERE fm.document_resend_seq_no = r.seq_no AND NOT fm.is_delete AND f.image_id <> ''", "fm.seq_no") + `
	    ELSE '[]'::jsonb END`
	resend := obj(append(cols("r", "seqNo", "createMasterSeqNo", "resendProdType", "resendReason", "category",
		"resendStatus", "resendRejectReason"), pair{"createDateTime", dt("r.create_time")},
		pair{"updateDateTime", dt("r.update_time")}, pair{"resendContent", content})...)

	ocr := obj(append(append(cols("o", "seqNo", "createMasterSeqNo", "birthYear", "birthMonth", "birthDate",
		"idIssueYear", "idIssueMonth", "idIssueDate", "idIssueCity", "city", "district", "address", "postalCode",
		"firstBack", "firstFront", "secondFront", "name", "aboriginalName", "spouse", "birthPlace", "military",
		"naturalFather", "naturalMother", "gender", "barCode", "serialNo"),
		pair{"idIssueWay", code("id_issue_way", "o.id_issue_way_code")}), stamps("o")...)...)
	tax := obj(pair{"IDNO", "t.idno"}, pair{"countryCode", code("country", "t.country_code")},
		pair{"createdDate", date("t.create_time")}, pair{"createdTime", clock("t.create_time")},
		pair{"taxesNo", "t.taxes_no"}, pair{"updateDate", date("t.update_time")},
		pair{"updateTime", clock("t.update_time")}, pair{"seqNo", "t.seq_no"})
	special := `(SELECT coalesce(jsonb_agg(CASE WHEN b = 0 THEN 'NextUserLoan' ELSE 'BIT_' || (1::numeric * 2 ^ b)::bigint END ORDER BY b), '[]')
	    FROM generate_series(0, 62) b WHERE f.special & (1::bigint << b) <> 0)`
	flag := obj(append(append(cols("f", "seqNo", "createMasterSeqNo", "p2566", "ocr", "ocrScanError", "z22", "aml",
		"sameIpDiffEmail", "bornInUSA=born_in_usa", "rarelyWord", "firstFrontScanError", "firstBackScanError",
		"secondScanError", "sameIpWithDiffPid", "z21ExceedTimes=z21_exceed_times"), stamps("f")...),
		pair{"sameIpWithDiffPidDatetime", dt("f.same_ip_with_diff_pid_time")},
		pair{"amlFlagDetail", "(SELECT " + obj(cols("a", "seqNo", "isInSanctionList", "isInPepsList", "riskLevel", "rarelyWord")...) + " FROM account.aml_flag_detail a WHERE a.seq_no = f.aml)"},
		pair{"ocrFlagDetail", "(SELECT " + ocr + " FROM account.ocr_flag_detail o WHERE o.seq_no = f.ocr)"},
		pair{"z21FlagDetail", "(SELECT " + obj(cols("z", "seqNo", "z21ResultCode=z21_result_code", "z21ResultMessage=z21_result_message", "z21NewBussCount=z21_new_buss_count")...) + " FROM account.z21_flag_detail z WHERE z.seq_no = f.z21)"},
		pair{"z22FlagDetail", "(SELECT " + obj(cols("z", "seqNo", "z22ActType=z22_act_type", "z22MsgNewSubCode=z22_msg_new_sub_code")...) + " FROM account.z22_flag_detail z WHERE z.seq_no = f.z22)"},
		pair{"payTaxes", list(tax, "account.pay_taxes t WHERE t.idno = m.idno", "t.create_time, t.seq_no")},
		pair{"special", special})...)
	teller := obj(append(cols("v", "seqNo", "createMasterSeqNo", "tellerNo", "tellerMemo", "managerNo", "managerMemo",
		"checkStatus"), pair{"tellerCheckDate", date("v.teller_check_time")}, pair{"tellerCheckTime", clock("v.teller_check_time")},
		pair{"managerCheckDate", date("v.manager_check_time")}, pair{"managerCheckTime", clock("v.manager_check_time")},
		pair{"createDateTime", dt("v.create_time")}, pair{"updateDateTime", dt("v.update_time")})...)
	abnormal := `coalesce((SELECT jsonb_agg(x.idno ORDER BY x.idno) FROM (
	    SELECT m.idno AS idno UNION SELECT o2.idno FROM account.create_master o2 WHERE o2.phone_number = m.phone_number) x
	    JOIN account.abnormal_account ab ON ab.idno = x.idno), '[]')`

	app := obj(append(append(cols("m", "seqNo", "phoneNumber", "idno", "name", "mgmCode", "status", "rejectMemo",
		"isFirstUse", "isArchived", "memberProfileSeqNo"), stamps("m")...),
		pair{"lastStepDateTime", dt("m.last_step_time")},
		pair{"stepBreakPoint", "(SELECT " + sbp + " FROM account.step_break_point s WHERE s.create_master_seq_no = m.seq_no)"},
		pair{"createDetails", list(detail, "account.create_detail d WHERE d.create_master_seq_no = m.seq_no", "d.create_time, d.seq_no")},
		pair{"documentResends", list(resend, "account.document_resend r WHERE r.create_master_seq_no = m.seq_no", "r.create_time, r.seq_no")},
		pair{"manualReviewFlags", list(flag, "account.manual_review_flag f WHERE f.create_master_seq_no = m.seq_no", "f.create_time, f.seq_no")},
		pair{"manualReviewFlag", "(SELECT " + flag + " FROM account.manual_review_flag f WHERE f.create_master_seq_no = m.seq_no ORDER BY f.create_time DESC, f.seq_no DESC LIMIT 1)"},
		pair{"tellerCheckRecords", list(teller, "account.teller_check_record v WHERE v.create_master_seq_no = m.seq_no", "v.create_time, v.seq_no")},
		pair{"abnormalPid", abnormal})...)
	return `SELECT jsonb_build_object('success', true, 'data', ` +
		list(app, "account.create_master m WHERE m.phone_number = $1", "m.create_time DESC, m.seq_no") + `)::text`
}

// FloorHandler serves {"phone": …} with the floor statement.
func FloorHandler(pool *pgxpool.Pool) http.Handler {
	query := floorQuery()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Phone string }
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		var body string
		if err := pool.QueryRow(r.Context(), query, req.Phone).Scan(&body); err != nil {
			http.Error(w, "floor: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write([]byte(body))
	})
}

// FloorQuery is exposed for the test that checks the floor builds the same body as the
// service.
func FloorQuery(ctx context.Context, pool *pgxpool.Pool, phone string) (string, error) {
	var body string
	err := pool.QueryRow(ctx, floorQuery(), phone).Scan(&body)
	return body, err
}

// response is what the benchmark reads of a body: the legacy envelope's success and data,
// or GraphQL's data and errors.
type response struct {
	Success *bool             `json:"success"`
	Data    json.RawMessage   `json:"data"`
	Errors  []json.RawMessage `json:"errors"`
}

// failure says why a 200 body is not a successful lookup, "" when it is one: a body that
// does not parse as one JSON object, GraphQL errors or no data, a legacy success other than
// true.
func failure(body []byte) string {
	var r response
	if err := json.Unmarshal(body, &r); err != nil {
		return "body does not parse: " + err.Error()
	}
	switch {
	case len(r.Errors) > 0:
		return "GraphQL errors"
	case r.Success != nil && !*r.Success:
		return "legacy failure"
	case len(r.Data) == 0 || string(r.Data) == "null":
		return "no data"
	}
	return ""
}
