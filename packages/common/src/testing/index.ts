// @research/common/testing: helpers for tests of common and of the apps (a local server that follows the Hugging Face
// Hub's API). Not part of the main entry: production code never imports it.
export { fakeRepo, startFakeHub, type FakeHub } from './fake-hub';
export { runChild, lastCheckpointWeights, type ChildRun } from './processes';
