/**
 * Case metadata from the "header", "header2" sections (libewf "Header2
 * section", "Header2 values"). The text is lines of tab-separated values:
 * line 1 the number of categories, line 2 "main", line 3 the identifiers,
 * line 4 their values. header2 is UTF-16 with a byte order mark; header is
 * single-byte text (codepage, ASCII by default). EnCase ends header lines with
 * CR LF, header2 lines with LF.
 */
export interface EwfCaseInfo {
  /** Case number ("c"). */
  caseNumber?: string;
  /** Evidence number ("n"). */
  evidenceNumber?: string;
  /** Description of the evidence ("a"). */
  description?: string;
  /** Examiner's name ("e"). */
  examiner?: string;
  /** Free-text notes ("t"). */
  notes?: string;
  /** Model of the acquired media (EnCase 6+). */
  model?: string;
  /** Serial number of the acquired media (EnCase 6+, "sn"). */
  serialNumber?: string;
  /** Device label (EnCase 6+, "l"). */
  deviceLabel?: string;
  /** Version of the acquiring software ("av"). */
  acquirySoftwareVersion?: string;
  /** Operating system of the acquiring machine ("ov"). */
  acquiryOperatingSystem?: string;
  /** When the media was acquired: ISO 8601; without a zone when the file stores local time. */
  acquiryDate?: string;
  /** The acquiring machine's clock at that moment, same format. */
  systemDate?: string;
  /** Hash of the image's password ("p"; "0" when there is none). */
  passwordHash?: string;
  /** Every identifier of the main category with its value, as stored. */
  values: Readonly<Record<string, string>>;
}

const NAMES: Record<string, keyof Omit<EwfCaseInfo, 'values'>> = {
  a: 'description',
  c: 'caseNumber',
  n: 'evidenceNumber',
  e: 'examiner',
  t: 'notes',
  md: 'model',
  sn: 'serialNumber',
  l: 'deviceLabel',
  av: 'acquirySoftwareVersion',
  ov: 'acquiryOperatingSystem',
  m: 'acquiryDate',
  u: 'systemDate',
  p: 'passwordHash',
};

/** Decodes header2 text: UTF-16 little- or big-endian after its byte order mark (no mark: little-endian). */
export function decodeHeader2(bytes: Uint8Array): string {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const body = bytes[0] === 0xff && bytes[1] === 0xfe ? bytes.subarray(2) : bytes;
  return new TextDecoder('utf-16le').decode(body);
}

/** Decodes header text. Its codepage is not recorded; Windows-1252 reads ASCII and most Western text right. */
export function decodeHeader(bytes: Uint8Array): string {
  return new TextDecoder('windows-1252').decode(bytes);
}

/** Parses the main category of header or header2 text. Returns null when the text has no main category. */
export function parseCaseInfo(text: string): EwfCaseInfo | null {
  const lines = text.split(/\r?\n/);
  if (lines[1]?.trim() !== 'main' || lines[2] === undefined) return null;
  const ids = lines[2].split('\t').map((s) => s.trim());
  const vals = (lines[3] ?? '').split('\t');
  const values: Record<string, string> = {};
  const info: EwfCaseInfo = { values };
  ids.forEach((id, i) => {
    const raw = (vals[i] ?? '').trim();
    values[id] = raw;
    const name = NAMES[id];
    if (name === undefined || raw === '') return;
    info[name] = id === 'm' || id === 'u' ? parseEwfDate(raw) : raw;
  });
  return info;
}

/**
 * Dates come two ways: header2 stores seconds since 1970 (UTC); header
 * stores "2006 3 12 11 44 5", the acquiring machine's local time, whose zone
 * is not recorded, so it gets no zone. Anything else is kept as written.
 */
export function parseEwfDate(raw: string): string {
  if (/^\d{1,12}$/.test(raw)) return new Date(Number(raw) * 1000).toISOString().replace('.000Z', 'Z');
  const p = raw.split(/\s+/);
  if (p.length === 6 && p.every((x) => /^\d{1,4}$/.test(x))) {
    const [y, mo, d, h, mi, s] = p.map(Number) as [number, number, number, number, number, number];
    const two = (n: number): string => String(n).padStart(2, '0');
    if (mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 && s < 61) {
      return `${String(y).padStart(4, '0')}-${two(mo)}-${two(d)}T${two(h)}:${two(mi)}:${two(s)}`;
    }
  }
  return raw;
}
