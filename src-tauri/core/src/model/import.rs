//! What an import reads from a row (an enterprise, a rent application, a certification), a row's
//! errors, and the batches it leaves behind.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct EnterpriseRecord {
    pub uscc: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub founded_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub registered_capital_fen: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub park: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sector: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub contact_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub contact_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub high_tech: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct RentRecord {
    pub uscc: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub lease_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub area_centi_m2: Option<i64>,
    /// per ㎡ per month
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub unit_rent_fen: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub lease_start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub lease_end: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub annual_rent_fen: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub revenue_prev_fen: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub revenue_curr_fen: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub subsidy_year: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub requested_fen: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct CertRecord {
    pub uscc: String,
    pub name: String,
    /// A code of DESIGN §2 (high_tech_enterprise, tech_sme, …)
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub certificate_no: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub issued_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub expires_on: Option<String>,
    /// The given expiry disagrees with the kind's validity rule (kept, flagged).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub expiry_differs_from_rule: Option<bool>,
    /// The level the file states (级别: 国家级, 省级…), kept with the certification.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub level: Option<String>,
    /// `expires_on` was worked out from the kind's rule (the cell was blank): it fills a new
    /// record but never overwrites a stored expiry.
    #[serde(skip)]
    #[ts(skip)]
    pub expiry_from_rule: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
pub enum Record {
    Enterprise(EnterpriseRecord),
    Rent(RentRecord),
    Cert(CertRecord),
}

impl Record {
    pub fn uscc(&self) -> &str {
        match self {
            Record::Enterprise(r) => &r.uscc,
            Record::Rent(r) => &r.uscc,
            Record::Cert(r) => &r.uscc,
        }
    }
    pub fn name(&self) -> &str {
        match self {
            Record::Enterprise(r) => &r.name,
            Record::Rent(r) => &r.name,
            Record::Cert(r) => &r.name,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RowError {
    pub code: String,
    /// The field (JSON name) the error is about.
    pub field: String,
    /// The header text of the column, as in the file.
    pub column: String,
    /// The original cell text.
    pub value: String,
    pub message: String,
    pub message_en: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[ts(optional)]
    pub duplicate_of_row: Option<u32>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct BatchInfo {
    pub id: i64,
    pub file_name: String,
    pub file_sha256: String,
    pub kind: String,
    pub park: Option<String>,
    pub sheet: String,
    pub header_row: u32,
    #[ts(type = "unknown")]
    pub summary: Value,
    pub created_at: String,
    pub created_by: String,
    pub undone_at: Option<String>,
    pub undone_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct BatchItem {
    pub row: u32,
    pub uscc: String,
    pub name: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Enterprises,
    RentApplications,
    Certifications,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Enterprises, Kind::RentApplications, Kind::Certifications];
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Enterprises => "enterprises",
            Kind::RentApplications => "rent_applications",
            Kind::Certifications => "certifications",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        match s.trim() {
            "enterprises" | "enterprise" | "企业名录" => Some(Kind::Enterprises),
            "rent_applications" | "rent" | "房租补贴" => Some(Kind::RentApplications),
            "certifications" | "certification" | "cert" | "认定" => Some(Kind::Certifications),
            _ => None,
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Kind::Enterprises => "企业名录",
            Kind::RentApplications => "房租补贴申报",
            Kind::Certifications => "认定名单",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Kind::Enterprises => "Enterprise roster",
            Kind::RentApplications => "Rent subsidy applications",
            Kind::Certifications => "Certifications",
        }
    }
    pub fn fields(self) -> &'static [Field] {
        match self {
            Kind::Enterprises => ENTERPRISE_FIELDS,
            Kind::RentApplications => RENT_FIELDS,
            Kind::Certifications => CERT_FIELDS,
        }
    }
    pub fn field(self, name: &str) -> Option<&'static Field> {
        self.fields().iter().find(|f| f.name == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Uscc,
    Text,
    Date,
    /// Money in fen; the header's unit (万元 / 元) applies to plain numbers.
    Money,
    /// Hundredths of a square metre.
    Area,
    /// 1, 2, 3 — "第2年"
    YearIndex,
    Bool,
    CertKind,
}

#[derive(Debug)]
pub struct Field {
    /// The JSON name (fixed by the CLI contract).
    pub name: &'static str,
    pub label_zh: &'static str,
    pub label_en: &'static str,
    pub ty: FieldType,
    pub required: bool,
    /// Header texts that mean this field (compared after normalisation, without the unit).
    pub synonyms: &'static [&'static str],
}

const USCC_SYN: &[&str] = &[
    "统一社会信用代码",
    "社会信用代码",
    "信用代码",
    "统一信用代码",
    "统一代码",
    "社会统一信用代码",
    "USCC",
    "纳税人识别号统一社会信用代码",
    "统一社会信用代码纳税人识别号",
    "组织机构代码/统一社会信用代码",
    "统一社会信用代码/组织机构代码",
    "统一社会信用代码/注册号",
];

const NAME_SYN: &[&str] = &[
    "企业名称",
    "单位名称",
    "公司名称",
    "企业名称全称",
    "企业全称",
    "名称",
    "申报单位",
    "企业",
    "申报企业名称",
    "申报单位名称",
    "单位全称",
    "公司全称",
    "企业单位名称",
    "企业名",
];

pub static ENTERPRISE_FIELDS: &[Field] = &[
    Field { name: "uscc", label_zh: "统一社会信用代码", label_en: "USCC", ty: FieldType::Uscc, required: true, synonyms: USCC_SYN },
    Field { name: "name", label_zh: "企业名称", label_en: "Enterprise name", ty: FieldType::Text, required: true, synonyms: NAME_SYN },
    Field {
        name: "founded_on",
        label_zh: "成立日期",
        label_en: "Founded on",
        ty: FieldType::Date,
        required: false,
        synonyms: &["成立日期", "成立时间", "注册日期", "设立日期", "注册时间"],
    },
    Field {
        name: "registered_capital_fen",
        label_zh: "注册资本",
        label_en: "Registered capital",
        ty: FieldType::Money,
        required: false,
        synonyms: &["注册资本", "注册资金", "注册资本金"],
    },
    Field {
        name: "park",
        label_zh: "所属园区",
        label_en: "Park",
        ty: FieldType::Text,
        required: false,
        synonyms: &["所属园区", "园区", "所在园区", "园区名称", "所属载体"],
    },
    Field {
        name: "sector",
        label_zh: "产业领域",
        label_en: "Sector",
        ty: FieldType::Text,
        required: false,
        synonyms: &["产业领域", "所属行业", "行业", "产业", "行业领域", "技术领域", "所属领域", "行业类别", "所属行业类别", "行业分类", "产业类别"],
    },
    Field {
        name: "contact_name",
        label_zh: "联系人",
        label_en: "Contact",
        ty: FieldType::Text,
        required: false,
        synonyms: &["联系人", "联系人姓名", "企业联系人", "负责人"],
    },
    Field {
        name: "contact_phone",
        label_zh: "联系电话",
        label_en: "Phone",
        ty: FieldType::Text,
        required: false,
        synonyms: &["联系电话", "电话", "手机", "联系方式", "手机号码", "联系人电话"],
    },
    Field {
        name: "address",
        label_zh: "注册地址",
        label_en: "Registered address",
        ty: FieldType::Text,
        required: false,
        synonyms: &["注册地址", "地址", "通讯地址", "办公地址", "企业地址", "住所"],
    },
    Field {
        name: "high_tech",
        label_zh: "是否高新技术企业",
        label_en: "High-tech enterprise",
        ty: FieldType::Bool,
        required: false,
        synonyms: &[
            "是否高新技术企业",
            "高新技术企业",
            "是否高企",
            "高企",
            "是否为高新技术企业",
            "是否国家高新技术企业",
            "是否为国家高新技术企业",
            "是否为高企",
        ],
    },
];

pub static RENT_FIELDS: &[Field] = &[
    Field { name: "uscc", label_zh: "统一社会信用代码", label_en: "USCC", ty: FieldType::Uscc, required: true, synonyms: USCC_SYN },
    Field { name: "name", label_zh: "企业名称", label_en: "Enterprise name", ty: FieldType::Text, required: true, synonyms: NAME_SYN },
    Field {
        name: "lease_address",
        label_zh: "租赁地址",
        label_en: "Lease address",
        ty: FieldType::Text,
        required: false,
        synonyms: &["租赁地址", "租赁房屋地址", "房屋地址", "租赁房屋坐落", "房屋坐落", "地址"],
    },
    Field {
        name: "area_centi_m2",
        label_zh: "租赁面积",
        label_en: "Area",
        ty: FieldType::Area,
        required: true,
        synonyms: &["租赁面积", "面积", "建筑面积", "租用面积", "租赁建筑面积", "实际租赁面积", "实际面积"],
    },
    Field {
        name: "unit_rent_fen",
        label_zh: "租金单价",
        label_en: "Unit rent",
        ty: FieldType::Money,
        required: true,
        synonyms: &["租金单价", "单价", "月租金单价", "租金标准", "租金单价元平方米月"],
    },
    Field {
        name: "lease_start",
        label_zh: "租期起",
        label_en: "Lease start",
        ty: FieldType::Date,
        required: true,
        synonyms: &[
            "租期起",
            "租赁起始日期",
            "起租日期",
            "租赁开始日期",
            "起始日期",
            "租期开始",
            "租赁期限起",
            "租期起始",
            "租赁起始时间",
            "租赁起始日",
            "租赁开始日",
            "起租时间",
            "起租日",
            "租赁开始时间",
            "合同起始日期",
            "合同开始日期",
            "开始日期",
            "开始时间",
            "起始时间",
            "起始",
            "开始",
            "自",
            "从",
        ],
    },
    Field {
        name: "lease_end",
        label_zh: "租期止",
        label_en: "Lease end",
        ty: FieldType::Date,
        required: true,
        synonyms: &[
            "租期止",
            "租赁截止日期",
            "到期日期",
            "租赁结束日期",
            "截止日期",
            "租期结束",
            "租赁期限止",
            "租期截止",
            "租赁结束时间",
            "租赁截止日",
            "租赁结束日",
            "租赁到期日",
            "租赁到期时间",
            "租赁到期日期",
            "止租日期",
            "止租日",
            "退租日期",
            "到期时间",
            "到期日",
            "合同截止日期",
            "合同终止日期",
            "合同到期日期",
            "结束日期",
            "结束时间",
            "截止时间",
            "截止",
            "结束",
            "至",
            "到",
        ],
    },
    Field {
        name: "annual_rent_fen",
        label_zh: "年租金",
        label_en: "Annual rent",
        ty: FieldType::Money,
        required: false,
        synonyms: &["年租金", "年度租金", "全年租金", "租金总额", "年租金额"],
    },
    Field {
        name: "revenue_prev_fen",
        label_zh: "上年营业收入",
        label_en: "Revenue, last year",
        ty: FieldType::Money,
        required: false,
        synonyms: &[
            "上年营业收入",
            "上年度营业收入",
            "上年收入",
            "上一年营业收入",
            "上年度销售收入",
            "上年销售收入",
            "上年营收",
            "上年度营收",
            "上年主营业务收入",
            "上年度主营业务收入",
        ],
    },
    Field {
        name: "revenue_curr_fen",
        label_zh: "本年营业收入",
        label_en: "Revenue, this year",
        ty: FieldType::Money,
        required: false,
        synonyms: &[
            "本年营业收入",
            "本年度营业收入",
            "当年营业收入",
            "本年收入",
            "本年度销售收入",
            "本年销售收入",
            "本年营收",
            "本年度营收",
            "本年主营业务收入",
            "本年度主营业务收入",
        ],
    },
    Field {
        name: "subsidy_year",
        label_zh: "申请补贴年度",
        label_en: "Subsidy year",
        ty: FieldType::YearIndex,
        required: true,
        synonyms: &["申请补贴年度", "补贴年度", "第几年", "申请年度", "申请补贴年度第几年", "补贴年份"],
    },
    Field {
        name: "requested_fen",
        label_zh: "申请补贴金额",
        label_en: "Amount requested",
        ty: FieldType::Money,
        required: false,
        synonyms: &["申请补贴金额", "申请金额", "补贴金额", "申请补助金额", "申请补贴"],
    },
];

pub static CERT_FIELDS: &[Field] = &[
    Field { name: "uscc", label_zh: "统一社会信用代码", label_en: "USCC", ty: FieldType::Uscc, required: true, synonyms: USCC_SYN },
    Field { name: "name", label_zh: "企业名称", label_en: "Enterprise name", ty: FieldType::Text, required: true, synonyms: NAME_SYN },
    Field {
        name: "kind",
        label_zh: "认定类型",
        label_en: "Certification",
        ty: FieldType::CertKind,
        required: true,
        synonyms: &["认定类型", "认定类别", "资质类型", "类型", "荣誉类型", "认定名称", "资质名称", "认定项目"],
    },
    Field {
        name: "certificate_no",
        label_zh: "证书编号",
        label_en: "Certificate no.",
        ty: FieldType::Text,
        required: false,
        synonyms: &["证书编号", "证书号", "编号", "批准文号", "证书号码"],
    },
    Field {
        name: "issued_on",
        label_zh: "发证日期",
        label_en: "Issued on",
        ty: FieldType::Date,
        required: true,
        synonyms: &["发证日期", "认定日期", "发证时间", "认定时间", "颁发日期", "认定年份"],
    },
    Field {
        name: "expires_on",
        label_zh: "有效期至",
        label_en: "Expires on",
        ty: FieldType::Date,
        required: false,
        synonyms: &["有效期至", "有效期", "到期日期", "截止日期", "有效期截止", "有效截止日期", "有效期止", "有效期结束", "证书有效期至", "有效期截至"],
    },
    Field {
        name: "level",
        label_zh: "级别",
        label_en: "Level",
        ty: FieldType::Text,
        required: false,
        synonyms: &["级别", "认定级别", "称号级别", "层级", "认定层级"],
    },
];
