export {
  readBoxHeader, childBoxes, findBox, fullBoxHeader, isPlausibleType, payload, BoxBudget, BOX_BUDGET_DEFAULTS,
  type BoxHeader, type ChildList,
} from './box.js';
export { Fields, BoxFieldError } from './fields.js';
export { checkNalUnits, findStartCodeEmulation, MAX_TRAILING_ZEROS, type NalCheck, type NalCheckOptions, type NalCodec, type Extent } from './nal.js';
