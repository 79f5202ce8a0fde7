package bench

import (
	"strings"
	"testing"
	"time"
)

// TestTopStatementsPerRequest: what a cell added to each statement, per request, the
// costliest first; statements the cell did not run and the meter's own reads are left out.
func TestTopStatementsPerRequest(t *testing.T) {
	before := map[int64]statementStat{
		1: {text: "SELECT * FROM account.create_detail WHERE create_master_seq_no = ANY($1)", calls: 10, ms: 5},
		2: {text: "SELECT audit.append($1, $2)", calls: 3, ms: 3},
		3: {text: "SELECT 1", calls: 7, ms: 1},
	}
	after := map[int64]statementStat{
		1: {text: before[1].text, calls: 110, ms: 25},
		2: {text: before[2].text, calls: 53, ms: 83},
		3: before[3],
		4: {text: "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements", calls: 2, ms: 9},
		5: {text: "SELECT count(*) FROM account.pay_tax\n\t WHERE  idno = $1", calls: 100, ms: 10},
	}
	got := topStatements(before, after, 100, 2)
	if len(got) != 2 {
		t.Fatalf("%d statements, want the top 2: %+v", len(got), got)
	}
	if got[0].Statement != "SELECT audit.append($1, $2)" || got[0].Calls != 0.5 || got[0].Time != 800*time.Microsecond {
		t.Errorf("first %+v, want audit.append, 0.5 calls and 800 µs per request", got[0])
	}
	if !strings.HasPrefix(got[1].Statement, "SELECT * FROM account.create_detail") || got[1].Calls != 1 || got[1].Time != 200*time.Microsecond {
		t.Errorf("second %+v, want create_detail, 1 call and 200 µs per request", got[1])
	}
	if s := shorten(after[5].text); s != "SELECT count(*) FROM account.pay_tax WHERE idno = $1" {
		t.Errorf("shortened %q", s)
	}
	if s := shorten("WITH m AS (SELECT seq_no, phone_number, idno, status FROM account.create_master WHERE x = $1) SELECT 1"); !strings.HasSuffix(s, "(account.create_master)") {
		t.Errorf("a statement whose table is past its first words names it: %q", s)
	}
	if topStatements(before, after, 0, 5) != nil {
		t.Error("no requests: nothing per request")
	}
}
