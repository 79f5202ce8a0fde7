package loaders

import "createinfo/models"

// childOrder is the natural order of an application's children within one application.
const childOrder = "create_master_seq_no, create_time, seq_no"

func stepBreakPointKey(s *models.StepBreakPoint) string       { return s.CreateMasterSeqNo }
func createDetailKey(d *models.CreateDetail) string           { return d.CreateMasterSeqNo }
func documentResendKey(r *models.DocumentResend) string       { return r.CreateMasterSeqNo }
func manualReviewFlagKey(f *models.ManualReviewFlag) string   { return f.CreateMasterSeqNo }
func tellerCheckRecordKey(t *models.TellerCheckRecord) string { return t.CreateMasterSeqNo }
func payTaxKey(p *models.PayTax) string                       { return p.ApplicationSeqNo }

// payTaxesQuery reads the tax residences of each application's applicant, by idno.
const payTaxesQuery = `
SELECT m.seq_no AS application_seq_no, t.seq_no, t.idno, t.country_code, t.taxes_no, t.create_time, t.update_time
FROM account.create_master m
JOIN account.pay_taxes t ON t.idno = m.idno
WHERE m.seq_no = ANY(?)
ORDER BY m.seq_no, t.create_time, t.seq_no`

// abnormalPidsQuery reads, for each application, the ID numbers on the abnormal-account list
// among its own idno and the idnos of every application made with the same phone number.
// The listed idnos are found once per phone (listed) and then handed to each of its
// applications: matching every application against every other of its phone instead cost
// n² rows, 3.0 ms of PostgreSQL time for the 55-application phone of the 1M data against
// 0.33 ms this way (docs/BENCHMARKS.md, issue 19). The first branch is the application's own
// idno, for applications without a phone number.
const abnormalPidsQuery = `
WITH m AS (SELECT seq_no, idno, phone_number FROM account.create_master WHERE seq_no = ANY(?)),
listed AS (
    SELECT DISTINCT o.phone_number, o.idno
    FROM account.create_master o
    JOIN account.abnormal_account a ON a.idno = o.idno
    WHERE o.phone_number IN (SELECT phone_number FROM m)
)
SELECT m.seq_no AS application_seq_no, a.idno FROM m JOIN account.abnormal_account a ON a.idno = m.idno
UNION
SELECT m.seq_no, l.idno FROM m JOIN listed l ON l.phone_number = m.phone_number
ORDER BY 1, 2`

// AbnormalPid is one ID number on the abnormal-account list tied to an application.
type AbnormalPid struct {
	ApplicationSeqNo string `gorm:"column:application_seq_no"`
	Idno             string `gorm:"column:idno"`
}

func abnormalPidKey(p *AbnormalPid) string { return p.ApplicationSeqNo }
