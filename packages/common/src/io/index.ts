// The public surface of the io module: file helpers every other module shares.
export { writeFileAtomic, writeJsonAtomic } from './atomic';
