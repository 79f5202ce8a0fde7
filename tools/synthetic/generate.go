// Package synthetic makes bank-scale account-opening data, deterministic for a given seed, and
// bulk-loads it with PostgreSQL COPY: for the benchmarks and the query-plan checks.
package synthetic

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Prefix starts the seqNo of every synthetic application, so that they can be told from the
// demo data.
const Prefix = "SYN"

// table is the rows of one table in one chunk, ready for COPY.
type table struct {
	name    string
	columns []string
	rows    [][]any
}

// chunk is the rows of a run of consecutive applications, tables in foreign-key order.
type chunk struct {
	apps   int
	tables []*table
}

func (c *chunk) rows() int {
	n := 0
	for _, t := range c.tables {
		n += len(t.rows)
	}
	return n
}

// generator makes applications one after the other from one random stream, so the data
// depends only on the seed and the count.
type generator struct {
	r        *rand.Rand
	next     int // index of the next application
	base     time.Time
	phones   phoneGroups
	idnos    []string // recent idnos, some reused by later applications
	idnoSeq  int
	listed   map[string]bool // idnos already on the abnormal list
	industry []string
	job      []string
	city     []string
	country  []string
}

func newGenerator(seed uint64) *generator {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return &generator{
		r:        r,
		base:     time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC),
		phones:   phoneGroups{r: r},
		listed:   map[string]bool{},
		industry: []string{"14220", "64110", "85101"},
		job:      []string{"10009", "20001", "30002"},
		city:     []string{"10001", "63000", "66000"},
		country:  []string{"TW", "US", "JP"},
	}
}

// phoneGroups hands out mobile numbers shared by 1 to 4 applications, and now and then a hot
// number shared by about 50.
type phoneGroups struct {
	r       *rand.Rand
	group   int
	current string
	left    int
}

func (p *phoneGroups) next() string {
	if p.left == 0 {
		p.group++
		// A bijection of the group number onto 8 digits (7919 is coprime with 10^8), in the
		// 095-097 ranges, away from the demo's numbers.
		n := (uint64(p.group)*7919 + 1234567) % 30000000
		p.current = fmt.Sprintf("09%08d", 50000000+n)
		switch {
		case p.r.IntN(1000) == 0:
			p.left = 45 + p.r.IntN(11)
		default:
			p.left = 1 + p.r.IntN(4)
		}
	}
	p.left--
	return p.current
}

func (g *generator) idno() string {
	// One application in ten is a customer applying again, under another phone.
	if len(g.idnos) > 100 && g.r.IntN(10) == 0 {
		return g.idnos[g.r.IntN(len(g.idnos))]
	}
	g.idnoSeq++
	digits := (uint64(g.idnoSeq)*7919 + 7654321) % 100000000
	letter := byte('A' + g.r.IntN(26))
	var id string
	switch k := g.r.IntN(100); {
	case k < 3: // new resident certificate
		id = fmt.Sprintf("%c%c%08d", letter, '8'+byte(g.r.IntN(2)), digits)
	case k < 5: // old resident certificate
		id = fmt.Sprintf("%c%c%08d", letter, 'A'+byte(g.r.IntN(4)), digits)
	default:
		id = fmt.Sprintf("%c%c%08d", letter, '1'+byte(g.r.IntN(2)), digits)
	}
	if len(g.idnos) < 5000 {
		g.idnos = append(g.idnos, id)
	} else {
		g.idnos[g.r.IntN(len(g.idnos))] = id
	}
	return id
}

func (g *generator) pick(s []string) string { return s[g.r.IntN(len(s))] }

func (g *generator) maybe(p float64, v any) any {
	if g.r.Float64() < p {
		return v
	}
	return nil
}

func newChunk() *chunk {
	mk := func(name string, cols ...string) *table { return &table{name: name, columns: cols} }
	return &chunk{tables: []*table{
		mk("create_master", "seq_no", "phone_number", "idno", "name", "status", "create_time", "update_time",
			"is_first_use", "is_archived", "last_step_time"),
		mk("step_break_point", "seq_no", "create_master_seq_no", "step01_state", "step01_update_time",
			"step02_state", "step02_update_time", "step03_state", "step03_update_time", "step04_state",
			"step04_update_time", "step05_state", "step05_update_time", "step06_state", "step06_update_time",
			"step07_state", "step07_update_time", "step08_state", "step08_update_time", "step09_state",
			"step09_update_time", "step10_state", "step10_update_time", "step11_state", "step11_update_time",
			"create_time", "update_time"),
		mk("create_detail", "seq_no", "create_master_seq_no", "ipv4", "device_record", "term_general_agrmt",
			"is_agreed_3th_party_used", "agreed_date", "apply_purpose", "industry_code", "job_code", "idno",
			"name", "gender", "birth_year", "birth_month", "birth_date", "id_issue_city_code",
			"id_issue_way_code", "resident_city", "first_front", "first_back", "psd", "create_account_status",
			"create_time"),
		mk("document_resend", "seq_no", "create_master_seq_no", "resend_prod_type", "resend_reason", "category",
			"ocr_image_id", "resend_status", "create_time", "update_time"),
		mk("edd_survey", "seq_no", "document_resend_seq_no", "create_time"),
		mk("financial_statement", "file_id", "image_id", "create_time"),
		mk("resend_to_financial_mapping", "seq_no", "document_resend_seq_no", "file_id", "is_delete", "create_time"),
		mk("aml_flag_detail", "seq_no", "is_in_sanction_list", "is_in_peps_list", "risk_level", "rarely_word"),
		mk("ocr_flag_detail", "seq_no", "create_master_seq_no", "birth_year", "id_issue_way_code", "name", "create_time"),
		mk("z21_flag_detail", "seq_no", "z21_result_code", "z21_result_message", "z21_new_buss_count"),
		mk("z22_flag_detail", "seq_no", "z22_act_type", "z22_msg_new_sub_code"),
		mk("manual_review_flag", "seq_no", "create_master_seq_no", "p2566", "ocr", "z21", "z22", "aml",
			"same_ip_diff_email", "first_back_scan_error", "z21_exceed_times", "special", "create_time"),
		mk("pay_taxes", "seq_no", "idno", "country_code", "taxes_no", "create_time"),
		mk("teller_check_record", "seq_no", "create_master_seq_no", "teller_no", "teller_check_time",
			"check_status", "create_time"),
		mk("abnormal_account", "idno", "reason"),
	}}
}

var categories = []string{"FIRST_CERTIFICATE", "SECOND_CERTIFICATE", "EDD", "FINANCIAL_PROOF", "LOSS_NATIONALITY_PROOF"}

// chunk makes the next n applications with all their children.
func (g *generator) chunk(n int) *chunk {
	c := newChunk()
	t := c.tables
	master, sbp, detail, resend, edd, statement, mapping := t[0], t[1], t[2], t[3], t[4], t[5], t[6]
	aml, ocr, z21, z22, flag, tax, teller, abnormal := t[7], t[8], t[9], t[10], t[11], t[12], t[13], t[14]
	for k := 0; k < n; k++ {
		i := g.next
		g.next++
		c.apps++
		// Numeric ids: room for 4 children of a kind per application, far above the demo's.
		id := 1_000_000_000 + int64(i)*4
		seq := fmt.Sprintf("%s%09d", Prefix, i)
		created := g.base.Add(time.Duration(i)*150*time.Second + time.Duration(g.r.IntN(120))*time.Second)
		idno := g.idno()
		phone := g.phones.next()
		at := func(minutes int) time.Time { return created.Add(time.Duration(minutes) * time.Minute) }

		// Progress: stopped at every step, or complete (about a third).
		reached := 1 + g.r.IntN(11)
		if g.r.IntN(3) == 0 {
			reached = 11
		}
		status := "L0"
		var last any
		if reached == 11 {
			status, last = "L4", at(30)
		}
		master.rows = append(master.rows, []any{seq, phone, idno, "客戶" + idno[len(idno)-3:], status, created,
			at(reached * 3), g.r.IntN(2) == 0, g.r.IntN(10) == 0, last})
		row := []any{"SBP-" + seq, seq}
		for s := 1; s <= 11; s++ {
			if s <= reached {
				row = append(row, "Y", at(s*3))
			} else {
				row = append(row, nil, nil)
			}
		}
		sbp.rows = append(sbp.rows, append(row, created, at(reached*3)))

		for d := 0; d < 1+g.r.IntN(3); d++ {
			detail.rows = append(detail.rows, []any{fmt.Sprintf("CD-%s-%d", seq, d), seq, "10.0.0.1", "DEV",
				"TermGeneralAcc:V1.0", true, at(5), "DEPOSIT_TRANSACTION", g.pick(g.industry), g.pick(g.job), idno,
				"客戶", "F", "80", "01", "01", g.pick(g.city), fmt.Sprint(1 + g.r.IntN(3)), "63",
				"IMG-F-" + seq, "IMG-B-" + seq, "ENCRYPTED", status, at(d)})
		}

		for j := 0; j < g.r.IntN(4); j++ {
			rid := id + int64(j)
			cat := categories[g.r.IntN(len(categories))]
			var image any
			if cat != "EDD" && cat != "FINANCIAL_PROOF" {
				image = g.maybe(0.9, fmt.Sprintf("OCR-%s-%d", seq, j))
			}
			resend.rows = append(resend.rows, []any{rid, seq, "CREATEACCOUNT", "補件", cat, image,
				fmt.Sprintf("B%d", 1+g.r.IntN(4)), at(60 + j), at(90 + j)})
			switch cat {
			case "EDD":
				for e := 0; e < 1+g.r.IntN(2); e++ {
					edd.rows = append(edd.rows, []any{rid*4 + int64(e), rid, at(70)})
				}
			case "FINANCIAL_PROOF":
				for m := 0; m < 2+g.r.IntN(2); m++ {
					file := fmt.Sprintf("F-%d-%d", rid, m)
					statement.rows = append(statement.rows, []any{file, "IMG-" + file, at(65)})
					mapping.rows = append(mapping.rows, []any{rid*4 + int64(m), rid, file, g.r.IntN(10) < 3, at(65 + m)})
				}
			}
		}

		if g.r.IntN(3) == 0 {
			for f := 0; f < 1+g.r.IntN(2); f++ {
				fid := id + int64(f)
				aml.rows = append(aml.rows, []any{fid, g.r.IntN(50) == 0, g.r.IntN(50) == 0,
					[]string{"LOW", "MEDIUM", "HIGH"}[g.r.IntN(3)], g.r.IntN(20) == 0})
				var ocrID, z21ID, z22ID any
				if g.r.IntN(2) == 0 {
					ocrID = fid
					ocr.rows = append(ocr.rows, []any{fid, seq, "80", fmt.Sprint(1 + g.r.IntN(3)), "客戶", at(10)})
				}
				if g.r.IntN(2) == 0 {
					z21ID = fid
					z21.rows = append(z21.rows, []any{fid, "N", "查無資料", fmt.Sprint(g.r.IntN(6))})
				}
				if g.r.IntN(10) < 3 {
					z22ID = fid
					z22.rows = append(z22.rows, []any{fid, "A0", "因身分證遺失"})
				}
				flag.rows = append(flag.rows, []any{fid, seq, g.r.IntN(20) == 0, ocrID, z21ID, z22ID, fid,
					g.r.IntN(30) == 0, g.r.IntN(10) == 0, g.maybe(0.2, "3N"), []int64{0, 1, 5}[g.r.IntN(3)], at(20 + f)})
			}
			if g.r.IntN(2) == 0 {
				for p := 0; p < 1+g.r.IntN(2); p++ {
					tax.rows = append(tax.rows, []any{id + int64(p), idno, g.pick(g.country), "TAX" + idno, at(25)})
				}
			}
		}

		for v := 0; v < g.r.IntN(3); v++ {
			teller.rows = append(teller.rows, []any{id + int64(v), seq, "T00123", at(120 + v), "APPROVED", at(100 + v)})
		}

		if g.r.IntN(200) == 0 && !g.listed[idno] {
			g.listed[idno] = true
			abnormal.rows = append(abnormal.rows, []any{idno, "警示帳戶"})
		}
	}
	return c
}
