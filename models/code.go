package models

// CodeName is a code and its Chinese name from one of the code tables (industry, job,
// ID-issue city, ID-issue way, country).
type CodeName struct {
	Code string `gorm:"column:code;primaryKey"`
	Name string `gorm:"column:name"`
}

// The code tables, each a CodeName table.
const (
	TableIndustry    = "account.industry"
	TableJob         = "account.job"
	TableIDIssueCity = "account.id_issue_city"
	TableIDIssueWay  = "account.id_issue_way"
	TableCountry     = "account.country"
)
