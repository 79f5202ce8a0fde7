package legacy

import (
	"encoding/json"
	"net/http"

	"github.com/99designs/gqlgen/graphql"

	"createinfo/graph"
)

// status is the HTTP status of each error code (CONTRACT.md, legacy failure).
var status = map[string]int{
	graph.CodeInvalidRequest:     http.StatusBadRequest,
	graph.CodeMissingCondition:   http.StatusBadRequest,
	graph.CodeInvalidIdno:        http.StatusBadRequest,
	graph.CodeInvalidPhone:       http.StatusBadRequest,
	graph.CodeInvalidSeqNo:       http.StatusBadRequest,
	graph.CodeTooManyResults:     http.StatusUnprocessableEntity,
	graph.CodeUnauthorized:       http.StatusUnauthorized,
	graph.CodePayloadTooLarge:    http.StatusRequestEntityTooLarge,
	graph.CodeMethodNotAllowed:   http.StatusMethodNotAllowed,
	graph.CodeServiceUnavailable: http.StatusServiceUnavailable,
	graph.CodeTimeout:            http.StatusGatewayTimeout,
	graph.CodeInternal:           http.StatusInternalServerError,
}

type failure struct {
	Success bool      `json:"success"`
	Error   errorBody `json:"error"`
}

type errorBody struct {
	ErrorCode    string `json:"errorCode"`
	ErrorMessage string `json:"errorMessage"`
}

// writeError is the one place where the legacy endpoint writes a failure.
func writeError(w http.ResponseWriter, code, message string) {
	st, ok := status[code]
	if !ok {
		code, message, st = graph.CodeInternal, "internal error", http.StatusInternalServerError
	}
	body, _ := json.Marshal(failure{Error: errorBody{ErrorCode: code, ErrorMessage: message}})
	writeJSON(w, st, body)
}

func writeJSON(w http.ResponseWriter, st int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(st)
	w.Write(body)
}

// resultError picks the error the legacy body reports: the executor's errors are already
// client-safe (the GraphQL error presenter made them so), so the first one's code and message
// are used as they are. Any error fails the whole request: a partial tree is never served as
// a success.
func resultError(resp *graphql.Response) (code, message string) {
	e := resp.Errors[0]
	code, _ = e.Extensions["code"].(string)
	if code == graph.CodeInvalidRequest {
		// A variable of the wrong type cannot happen (the request was checked), so this is the
		// fixed document failing validation: our fault, not the caller's.
		return graph.CodeInternal, "internal error"
	}
	return code, e.Message
}

// envelope wraps the executor's data in {"success": true, "data": [...]}, adding the legacy
// createDetails[].psd key as null right after userID.
func envelope(data json.RawMessage) ([]byte, error) {
	var result struct {
		Applications []object `json:"applications"`
	}
	if err := json.Unmarshal(data, &result); err != nil {
		return nil, err
	}
	for i, app := range result.Applications {
		var details []object
		if err := json.Unmarshal(app.get("createDetails"), &details); err != nil {
			return nil, err
		}
		for j := range details {
			details[j] = details[j].set("psd", json.RawMessage("null"), "userID")
		}
		raw, err := json.Marshal(details)
		if err != nil {
			return nil, err
		}
		result.Applications[i] = app.set("createDetails", raw, "")
	}
	if result.Applications == nil {
		result.Applications = []object{}
	}
	return json.Marshal(struct {
		Success bool     `json:"success"`
		Data    []object `json:"data"`
	}{true, result.Applications})
}
