package models

import "time"

// CreateDetail is one row of the application's details (開戶申請明細): device, terms, work,
// OCR'd ID card, card delivery. The encrypted password column (psd) is deliberately absent:
// it is never read, so it can never be served.
type CreateDetail struct {
	SeqNo                    string     `gorm:"column:seq_no;primaryKey"`
	CreateMasterSeqNo        string     `gorm:"column:create_master_seq_no"`
	Imei                     *string    `gorm:"column:imei"`
	Ipv4                     *string    `gorm:"column:ipv4"`
	Ipv6                     *string    `gorm:"column:ipv6"`
	DeviceRecord             *string    `gorm:"column:device_record"`
	Gps                      *string    `gorm:"column:gps"`
	TermGeneralAgrmt         *string    `gorm:"column:term_general_agrmt"`
	TermMemberService        *string    `gorm:"column:term_member_service"`
	TermPointMarketingAgrmt  *string    `gorm:"column:term_point_marketing_agrmt"`
	TermCommonMarketingAgrmt *string    `gorm:"column:term_common_marketing_agrmt"`
	TermPersonalAgrmt        *string    `gorm:"column:term_personal_agrmt"`
	IsAgreed3thPartyUsed     bool       `gorm:"column:is_agreed_3th_party_used"`
	AgreedAt                 *time.Time `gorm:"column:agreed_date"`
	ApplyPurpose             *string    `gorm:"column:apply_purpose"`
	IndustryCode             *string    `gorm:"column:industry_code"`
	JobCode                  *string    `gorm:"column:job_code"`
	Organization             *string    `gorm:"column:organization"`
	IsSalaryAccount          bool       `gorm:"column:is_salary_account"`
	AcverinputBank           *string    `gorm:"column:acverinput_bank"`
	AcverinputAccNo          *string    `gorm:"column:acverinput_acc_no"`
	AcverinputAt             *time.Time `gorm:"column:acverinput_date"`
	IsFatca                  bool       `gorm:"column:is_fatca"`
	IsPayTaxes               bool       `gorm:"column:is_pay_taxes"`
	IsTwTaxPayer             bool       `gorm:"column:is_tw_tax_payer"`
	Idno                     *string    `gorm:"column:idno"`
	Name                     *string    `gorm:"column:name"`
	AboriginalName           *string    `gorm:"column:aboriginal_name"`
	Gender                   *string    `gorm:"column:gender"`
	Spouse                   *string    `gorm:"column:spouse"`
	BirthYear                *string    `gorm:"column:birth_year"`
	BirthMonth               *string    `gorm:"column:birth_month"`
	BirthDate                *string    `gorm:"column:birth_date"`
	IdIssueYear              *string    `gorm:"column:id_issue_year"`
	IdIssueMonth             *string    `gorm:"column:id_issue_month"`
	IdIssueDate              *string    `gorm:"column:id_issue_date"`
	IdIssueCityCode          *string    `gorm:"column:id_issue_city_code"`
	IdIssueWayCode           *string    `gorm:"column:id_issue_way_code"`
	ResidentCity             *string    `gorm:"column:resident_city"`
	ResidentDistrict         *string    `gorm:"column:resident_district"`
	ResidentAddress          *string    `gorm:"column:resident_address"`
	ResidentPostalCode       *string    `gorm:"column:resident_postal_code"`
	FirstFront               *string    `gorm:"column:first_front"`
	FirstBack                *string    `gorm:"column:first_back"`
	OcrSecFrontImageID       *string    `gorm:"column:ocr_sec_front_image_id"`
	IsModified               bool       `gorm:"column:is_modified"`
	VideoViewFileName        *string    `gorm:"column:video_view_file_name"`
	VideoSoundFileName       *string    `gorm:"column:video_sound_file_name"`
	CardFace                 *string    `gorm:"column:card_face"`
	CardName                 *string    `gorm:"column:card_name"`
	CardEmail                *string    `gorm:"column:card_email"`
	CardCity                 *string    `gorm:"column:card_city"`
	CardArea                 *string    `gorm:"column:card_area"`
	CardAddress              *string    `gorm:"column:card_address"`
	CardAddressCode          *string    `gorm:"column:card_address_code"`
	UserID                   *string    `gorm:"column:user_id"`
	CreateAccountStatus      *string    `gorm:"column:create_account_status"`
	CreatedAt                time.Time  `gorm:"column:create_time;autoCreateTime:false"`
}

func (CreateDetail) TableName() string { return "account.create_detail" }

func (d *CreateDetail) AgreedDate() *string     { return isoUTC(d.AgreedAt) }
func (d *CreateDetail) AcverinputDate() *string { return isoUTC(d.AcverinputAt) }
