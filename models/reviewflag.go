package models

import (
	"context"
	"math/bits"
	"strconv"
	"time"
)

// ManualReviewFlag is one manual-review note (開戶註記) of an application: the review flags
// raised while it was opened, with links to the AML, OCR, Z21 and Z22 detail rows.
type ManualReviewFlag struct {
	SeqNo               int64      `gorm:"column:seq_no;primaryKey"`
	CreateMasterSeqNo   string     `gorm:"column:create_master_seq_no"`
	P2566               bool       `gorm:"column:p2566"`
	Ocr                 *int64     `gorm:"column:ocr"`
	Z21                 *int64     `gorm:"column:z21"`
	Z22                 *int64     `gorm:"column:z22"`
	Aml                 *int64     `gorm:"column:aml"`
	OcrScanError        bool       `gorm:"column:ocr_scan_error"`
	SameIpDiffEmail     bool       `gorm:"column:same_ip_diff_email"`
	BornInUSA           bool       `gorm:"column:born_in_usa"`
	RarelyWord          bool       `gorm:"column:rarely_word"`
	FirstFrontScanError bool       `gorm:"column:first_front_scan_error"`
	FirstBackScanError  bool       `gorm:"column:first_back_scan_error"`
	SecondScanError     bool       `gorm:"column:second_scan_error"`
	SameIpWithDiffPid   bool       `gorm:"column:same_ip_with_diff_pid"`
	SameIpWithDiffPidAt *time.Time `gorm:"column:same_ip_with_diff_pid_time"`
	Z21ExceedTimes      *string    `gorm:"column:z21_exceed_times"`
	SpecialBits         int64      `gorm:"column:special"`
	Stamps
}

func (ManualReviewFlag) TableName() string { return "account.manual_review_flag" }

func (f *ManualReviewFlag) SameIpWithDiffPidDatetime(ctx context.Context) *string {
	return dateTimeOf(ctx, f.SameIpWithDiffPidAt)
}

// specialNames names the bits of the special bitmask (特殊註記) by their value.
var specialNames = map[uint64]string{
	1: "NextUserLoan", // 非存戶貸款
}

// Special lists the names of the bits set in the special bitmask, lowest bit first. A set bit
// with no known name is reported as BIT_<value>, so that a new flag is never silently dropped.
func (f *ManualReviewFlag) Special() []string {
	names := []string{}
	for m := uint64(f.SpecialBits); m != 0; m &= m - 1 {
		v := uint64(1) << bits.TrailingZeros64(m)
		if name, ok := specialNames[v]; ok {
			names = append(names, name)
		} else {
			names = append(names, "BIT_"+strconv.FormatUint(v, 10))
		}
	}
	return names
}

// AmlFlagDetail holds the AML screening result behind a flag.
type AmlFlagDetail struct {
	SeqNo            int64   `gorm:"column:seq_no;primaryKey"`
	IsInSanctionList bool    `gorm:"column:is_in_sanction_list"`
	IsInPepsList     bool    `gorm:"column:is_in_peps_list"`
	RiskLevel        *string `gorm:"column:risk_level"`
	RarelyWord       bool    `gorm:"column:rarely_word"`
}

func (AmlFlagDetail) TableName() string { return "account.aml_flag_detail" }

// OcrFlagDetail holds the values the customer corrected after OCR.
type OcrFlagDetail struct {
	SeqNo             int64   `gorm:"column:seq_no;primaryKey"`
	CreateMasterSeqNo *string `gorm:"column:create_master_seq_no"`
	BirthYear         *string `gorm:"column:birth_year"`
	BirthMonth        *string `gorm:"column:birth_month"`
	BirthDate         *string `gorm:"column:birth_date"`
	IdIssueYear       *string `gorm:"column:id_issue_year"`
	IdIssueMonth      *string `gorm:"column:id_issue_month"`
	IdIssueDate       *string `gorm:"column:id_issue_date"`
	IdIssueCity       *string `gorm:"column:id_issue_city"`
	IdIssueWayCode    *string `gorm:"column:id_issue_way_code"`
	City              *string `gorm:"column:city"`
	District          *string `gorm:"column:district"`
	Address           *string `gorm:"column:address"`
	PostalCode        *string `gorm:"column:postal_code"`
	FirstBack         *string `gorm:"column:first_back"`
	FirstFront        *string `gorm:"column:first_front"`
	SecondFront       *string `gorm:"column:second_front"`
	Name              *string `gorm:"column:name"`
	AboriginalName    *string `gorm:"column:aboriginal_name"`
	Spouse            *string `gorm:"column:spouse"`
	BirthPlace        *string `gorm:"column:birth_place"`
	Military          *string `gorm:"column:military"`
	NaturalFather     *string `gorm:"column:natural_father"`
	NaturalMother     *string `gorm:"column:natural_mother"`
	Gender            *string `gorm:"column:gender"`
	BarCode           *string `gorm:"column:bar_code"`
	SerialNo          *string `gorm:"column:serial_no"`
	Stamps
}

func (OcrFlagDetail) TableName() string { return "account.ocr_flag_detail" }

// Z21FlagDetail holds the Z21 (joint credit information) verification result.
type Z21FlagDetail struct {
	SeqNo            int64   `gorm:"column:seq_no;primaryKey"`
	Z21ResultCode    *string `gorm:"column:z21_result_code"`
	Z21ResultMessage *string `gorm:"column:z21_result_message"`
	Z21NewBussCount  *string `gorm:"column:z21_new_buss_count"`
}

func (Z21FlagDetail) TableName() string { return "account.z21_flag_detail" }

// Z22FlagDetail holds the Z22 (ID card status) verification result.
type Z22FlagDetail struct {
	SeqNo            int64   `gorm:"column:seq_no;primaryKey"`
	Z22ActType       *string `gorm:"column:z22_act_type"`
	Z22MsgNewSubCode *string `gorm:"column:z22_msg_new_sub_code"`
}

func (Z22FlagDetail) TableName() string { return "account.z22_flag_detail" }

// PayTax is a tax residence of another country, recorded by ID number. ApplicationSeqNo is
// not a column: the loader fills it with the application whose applicant the row belongs to.
type PayTax struct {
	SeqNo   int64   `gorm:"column:seq_no;primaryKey"`
	Idno    string  `gorm:"column:idno"`
	Country *string `gorm:"column:country_code"`
	TaxesNo *string `gorm:"column:taxes_no"`
	Stamps
	ApplicationSeqNo string `gorm:"column:application_seq_no;->;-:migration"`
}

func (PayTax) TableName() string { return "account.pay_taxes" }
