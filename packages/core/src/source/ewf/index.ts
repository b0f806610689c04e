export { EwfSource } from './ewf-source.js';
export type { EwfInfo } from './load-segments.js';
export type { EwfVolume } from './volume-section.js';
export type { EwfCaseInfo } from './case-info.js';
export type { EwfHashes, EwfAcquiryError } from './metadata-sections.js';
export { EwfFormatError } from './errors.js';
export { hasEwfSignature } from './segment-file.js';
export { isFirstSegmentName, segmentName } from './segment-names.js';
