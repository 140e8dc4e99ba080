// Synthetic people with every HIPAA Safe Harbor identifier a real record might carry. None is real.
import type { Random } from "./random.ts";

const firstNames = ["Ava", "Liam", "Noah", "Emma", "Olivia", "Mateo", "Sofia", "Amara", "Chen", "Hiroshi", "Fatima", "Lukas", "Zoë", "José", "Ngozi", "Priya", "Mikhail", "Aoife", "Søren", "Yasmin"];
const lastNames = ["Okafor", "García", "Nguyen", "Schmidt", "Kowalski", "O'Brien", "Haddad", "Tanaka", "Rossi", "Andersson", "Patel", "Dubois", "Müller", "Silva", "Kim", "Novak", "Cohen", "Ibrahim", "Larsen", "Moreau"];
const streets = ["Maple Ave", "Harbor Rd", "Elm St", "Riverside Dr", "Cedar Ln", "Oak Ct", "Hillcrest Blvd", "Lakeview Ter"];
const cities: [string, string, string][] = [
  ["Boston", "MA", "021"], ["Cambridge", "MA", "021"], ["Providence", "RI", "029"], ["Hartford", "CT", "061"],
  ["Burlington", "VT", "054"], ["Portland", "ME", "041"], ["Cheyenne", "WY", "820"], ["Minot", "ND", "587"],
];
export const diagnoses = ["I21.4", "I25.10", "I50.9", "E11.9", "I10", "I48.91", "N18.3", "J44.9"];

export interface Person {
  patientId: string;
  mrn: string;
  firstName: string;
  lastName: string;
  birthDate: string;
  sex: "F" | "M";
  address: string;
  city: string;
  state: string;
  zip: string;
  phone: string;
  email: string;
  ssn: string;
  age: number;
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");
export const isoDate = (d: Date) => d.toISOString().slice(0, 10);

export function makePerson(random: Random, index: number, today = new Date(Date.UTC(2025, 0, 1))): Person {
  const firstName = random.pick(firstNames);
  const lastName = random.pick(lastNames);
  // A few patients over 89, so "90+" generalization has something to do.
  const age = random.chance(0.04) ? random.int(90, 101) : random.int(19, 89);
  const birth = new Date(Date.UTC(today.getUTCFullYear() - age, random.int(0, 11), random.int(1, 28)));
  const [city, state, zip3] = random.pick(cities);
  return {
    patientId: `P${pad(index + 1, 6)}`,
    mrn: `MRN-${pad(random.int(0, 99_999_999), 8)}`,
    firstName,
    lastName,
    birthDate: isoDate(birth),
    sex: random.chance(0.5) ? "F" : "M",
    address: `${random.int(1, 9999)} ${random.pick(streets)}`,
    city,
    state,
    zip: `${zip3}${pad(random.int(0, 99), 2)}`,
    phone: `(${random.int(201, 989)}) 555-${pad(random.int(0, 9999), 4)}`,
    email: `${firstName.toLowerCase().normalize("NFD").replace(/[^a-z]/g, "")}.${lastName.toLowerCase().replace(/[^a-z]/g, "")}${index}@example.com`,
    ssn: `9${pad(random.int(0, 99), 2)}-${pad(random.int(1, 99), 2)}-${pad(random.int(1, 9999), 4)}`,
    age,
  };
}
