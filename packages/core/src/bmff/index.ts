export {
  readBoxHeader, childBoxes, findBox, fullBoxHeader, isPlausibleType, payload, BoxBudget,
  type BoxHeader, type ChildList,
} from './box.js';
export { Fields, BoxFieldError } from './fields.js';
export { checkNalUnits, type NalCheck, type NalCodec, type Extent } from './nal.js';
