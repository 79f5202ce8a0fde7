package store

import (
	"context"

	"createinfo/models"
)

// The reads a plain "WHERE column = ANY(…)" cannot state, each a hand-written statement.
var (
	// PayTaxes reads the tax residences of each application's applicant (by idno), by the
	// application's seqNo.
	PayTaxes = Raw[string, models.PayTax]("application_seq_no", `
SELECT m.seq_no AS application_seq_no, t.seq_no, t.idno, t.country_code, t.taxes_no, t.create_time, t.update_time
FROM account.create_master m
JOIN account.pay_taxes t ON t.idno = m.idno
WHERE m.seq_no = ANY(?)
ORDER BY m.seq_no, t.create_time, t.seq_no`)

	// AbnormalPids reads, for each application, the ID numbers on the abnormal-account list
	// among its own idno and the idnos of every application made with the same phone number.
	// The listed idnos are found once per phone (listed) and then handed to each of its
	// applications: matching every application against every other of its phone cost n²
	// rows, 3.0 ms of PostgreSQL time for the 55-application phone of the 1M data against
	// 0.33 ms this way (docs/BENCHMARKS.md, issue 19). The first branch is the application's
	// own idno, for applications without a phone number. The statement begins with SELECT, not
	// WITH: dbresolver sends a raw statement to the replicas only when it starts with SELECT,
	// anything else to the primary (TestReadsOnStreamingReplica counts where each one ran).
	AbnormalPids = Raw[string, AbnormalPid]("application_seq_no", `
SELECT application_seq_no, idno FROM (
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
) pids
ORDER BY 1, 2`)
)

// AbnormalPid is one ID number on the abnormal-account list tied to an application.
type AbnormalPid struct {
	ApplicationSeqNo string `gorm:"column:application_seq_no"`
	Idno             string `gorm:"column:idno"`
}

// Codes reads the names of codes from one code table (models.TableIndustry, …).
func Codes(table string) *Read[string, models.CodeName] {
	return byTable[string, models.CodeName](table, "code", "code")
}

// All reads every row of the read's table, each with its key: for the code tables, which are
// small and cached whole.
func (r *Read[K, V]) All(ctx context.Context, db *DB) ([]K, []*V, error) {
	return r.fetchPlain(ctx, db, r.all, nil)
}
