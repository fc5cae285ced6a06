/**
 * The shape of the one fictional company whose people act in every vendor's log. The core and the
 * vendors speak of people in these terms; fixtures/company.ts builds the company from the seed.
 */
export type Role = 'admin' | 'platform' | 'sre' | 'engineer' | 'data' | 'security' | 'analyst' | 'finance' | 'support';

export interface Person {
  id: string;
  firstName: string;
  lastName: string;
  name: string;
  email: string;
  username: string;
  role: Role;
  department: string;
  title: string;
  country: string;
  city: string;
  timeZone: string;
  /** Hours east of UTC (fixed; daylight saving is not modelled). */
  utcOffset: number;
  /** Local working hours [start, end). */
  workStart: number;
  workEnd: number;
  homeIp: string;
  officeIp: string;
  userAgent: string;
  /** 0..1: how much this person uses cloud consoles and APIs relative to others. */
  activity: number;
  /** Index in the company's list, stable for a seed. */
  index: number;
}

export interface Company {
  name: string;
  slug: string;
  domain: string;
  people: Person[];
  /** The people with the admin role first: vendors pick their administrators from here. */
  admins: Person[];
  byEmail: Map<string, Person>;
}
