package store

import (
	"context"
	"strconv"
	"strings"

	"createinfo/models"
)

// Match is a lookup's conditions: the applications whose every non-empty condition holds.
type Match struct{ Idno, Phone, SeqNo string }

// matchColumns are the columns of Match's conditions, in its order: bit i of a statement's
// index in lookups says whether the i-th is a condition of it.
var matchColumns = [...]string{"idno", "phone_number", "seq_no"}

// lookupOrder is the order of a lookup's applications: newest first, ties by seqNo.
const lookupOrder = "create_time DESC, seq_no"

// applications reads the applications by seqNo, each with its seqNo as its key: the scan of
// the lookups' rows (lookups are not keyed reads, but their rows are applications).
var applications = By[string, models.Application]("seq_no", lookupOrder)

// lookups are the statements of the lookups, one per set of conditions (indexed as
// matchColumns says), written once: the conditions' values and the limit are parameters.
var lookups = func() (qs [1 << len(matchColumns)]string) {
	l := applications.layout
	for set := range qs {
		var b strings.Builder
		b.WriteString("SELECT " + l.columnList("") + " FROM " + l.table)
		n := 0
		for i, c := range matchColumns {
			if set&(1<<i) == 0 {
				continue
			}
			if n++; n == 1 {
				b.WriteString(" WHERE ")
			} else {
				b.WriteString(" AND ")
			}
			b.WriteString(c + " = $" + strconv.Itoa(n))
		}
		b.WriteString(" ORDER BY " + lookupOrder + " LIMIT $" + strconv.Itoa(n+1))
		qs[set] = b.String()
	}
	return qs
}()

// Applications reads at most limit applications matching m, newest first (create_time DESC,
// then seqNo), with their seqNos (seqNos[i] is apps[i]'s). It is one statement, run as the
// store runs every read (run.go): counted, spanned, on a pool the Router picks (a replica in
// rotation), on pgx directly, scanned into the models without reflection.
func Applications(ctx context.Context, db *DB, m Match, limit int) (seqNos []string, apps []*models.Application, err error) {
	set, args := 0, make([]any, 0, len(matchColumns)+1)
	for i, v := range [len(matchColumns)]string{m.Idno, m.Phone, m.SeqNo} {
		if v != "" {
			set |= 1 << i
			args = append(args, v)
		}
	}
	return applications.fetchPlain(ctx, db, lookups[set], append(args, limit))
}
