//! Certifications (高企, 科技型中小企业, 专精特新 …), their milestones and the rewards of the policy.

pub mod kinds;
