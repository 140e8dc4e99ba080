// The 18 identifier categories of HIPAA's Safe Harbor method (45 CFR 164.514(b)(2)(i)), and how column
// and field names point to them.

import type { RedactCategory } from "./rules.ts";

export const safeHarborCategories = [
  { id: "names", label: "Names" },
  { id: "geographic", label: "Geographic subdivisions smaller than a state (street, city, county, ZIP)" },
  { id: "dates", label: "All elements of dates (except year) related to an individual; ages over 89" },
  { id: "phone", label: "Telephone numbers" },
  { id: "fax", label: "Fax numbers" },
  { id: "email", label: "Email addresses" },
  { id: "ssn", label: "Social Security numbers" },
  { id: "mrn", label: "Medical record numbers" },
  { id: "healthPlan", label: "Health plan beneficiary numbers" },
  { id: "account", label: "Account numbers" },
  { id: "license", label: "Certificate / license numbers" },
  { id: "vehicle", label: "Vehicle identifiers and serial numbers, incl. license plates" },
  { id: "device", label: "Device identifiers and serial numbers" },
  { id: "url", label: "Web URLs" },
  { id: "ip", label: "IP addresses" },
  { id: "biometric", label: "Biometric identifiers (finger and voice prints)" },
  { id: "photo", label: "Full-face photographs and comparable images" },
  { id: "otherId", label: "Any other unique identifying number, characteristic or code" },
] as const;

export type SafeHarborCategory = (typeof safeHarborCategories)[number]["id"];

/** "firstName", "First Name", "first-name" -> "first_name". */
export function normalizeFieldName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");
}

// Tested against the normalized name; first match wins, so specific names come before generic ones.
const byName: [RegExp, SafeHarborCategory, number][] = [
  [/(^|_)(ssn|social_security(_number|_no)?|soc_sec)(_|$)/, "ssn", 0.95],
  [/(^|_)(mrn|medical_record(_number|_no)?|med_rec(_no)?|chart_(no|num|number))(_|$)/, "mrn", 0.95],
  [/(^|_)fax(_|$)/, "fax", 0.95],
  [/(^|_)(e_?mail|email_address)(_|$)/, "email", 0.95],
  [/(^|_)(phone|telephone|tel|mobile|cell|cellphone|contact_number|pager)(_|$)/, "phone", 0.9],
  [/(^|_)(ip|ip_address|ipv4|ipv6|client_ip|remote_addr)(_|$)/, "ip", 0.9],
  [/(^|_)(url|uri|website|web_site|homepage|link)(_|$)/, "url", 0.85],
  [/(^|_)(health_plan|insurance(_id|_number|_no)?|member_id|subscriber_id|policy_(number|no|id)|beneficiary|medicaid|medicare)(_|$)/, "healthPlan", 0.85],
  [/(^|_)(account|acct|account_(number|no|id)|billing_(id|account))(_|$)/, "account", 0.85],
  [/(^|_)(licen[cs]e|licen[cs]e_(number|no)|certificate|dea|drivers?_licen[cs]e)(_|$)/, "license", 0.85],
  [/(^|_)(vin|license_plate|plate|vehicle(_id)?)(_|$)/, "vehicle", 0.85],
  [/(^|_)(device(_id|_serial)?|serial(_number|_no)?|udi|imei|mac_address|implant_id)(_|$)/, "device", 0.85],
  [/(^|_)(fingerprint|retina|iris|voice_?print|biometric)(_|$)/, "biometric", 0.9],
  [/(^|_)(photo|photograph|face|headshot|portrait|picture)(_|$)/, "photo", 0.8],
  [/(^|_)(first_?name|last_?name|given_?name|family_?name|surname|middle_?name|full_?name|patient_name|maiden_name|fname|lname|nickname|mother_name|father_name|next_of_kin|emergency_contact|guarantor)(_|$)/, "names", 0.9],
  [/^name$/, "names", 0.85],
  [/(^|_)(address|street|addr|address_line\d?|city|town|county|zip|zipcode|zip_code|postal_code|postcode|latitude|longitude|lat|lon|lng|geo|precinct)(_|$)/, "geographic", 0.9],
  [/(^|_)(dob|birth_?date|date_of_birth|birth|born|dod|death_date|date_of_death|deceased)(_|$)/, "dates", 0.95],
  [/(^|_)age(_years)?$/, "dates", 0.6],
  [/(^|_)(date|dt|datetime|timestamp|time|at|on|admitted|discharged|admission|discharge|visit)(_|$)/, "dates", 0.7],
  [/(^|_)(patient_id|subject_id|person_id|participant_id|pid|patient_number|enrollee_id)(_|$)/, "otherId", 0.85],
  [/(^|_)(id|uuid|guid|number|no|num|code)$/, "otherId", 0.5],
];

/** What a column / field name suggests: the category and how sure that is. */
export function categoryByName(name: string): { category: SafeHarborCategory; confidence: number } | undefined {
  const n = normalizeFieldName(name);
  if (/(^|_)(state|country|province|region)(_|$)/.test(n) && !/(^|_)(address|street|zip)(_|$)/.test(n)) return undefined; // states may stay
  for (const [re, category, confidence] of byName) if (re.test(n)) return { category, confidence };
  return undefined;
}

/** The Safe Harbor categories each redact category removes from free text. */
export const redactCovers: Record<RedactCategory, SafeHarborCategory[]> = {
  url: ["url"],
  email: ["email"],
  ip: ["ip"],
  ssn: ["ssn"],
  mrn: ["mrn"],
  date: ["dates"],
  phone: ["phone", "fax"],
  address: ["geographic"],
  zip: ["geographic"],
  name: ["names"],
  id: ["otherId", "account", "healthPlan", "license", "device", "vehicle"],
};
