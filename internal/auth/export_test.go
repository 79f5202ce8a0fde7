package auth

import "context"

// VerifyUncached checks a token as on its first use (the benchmark's full cost).
func (v *Verifier) VerifyUncached(ctx context.Context, raw string) (Identity, *Refusal) {
	id, _, _, no := v.verify(ctx, raw)
	return id, no
}
