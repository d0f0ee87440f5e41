// The LR range test: exponential LR sweep with bias-corrected smoothing, divergence stop, torch-lr-finder's
// suggestion, weights and optimizer restored; and its report folder (plot, results.json, log).
export { exponentialLrs, numpyGradient, SmoothedLoss, suggestLr, type LrSuggestion } from './curve';
export { lrRangeTest, SUGGESTION_RULE, type LrRangeTestOptions, type LrRangeTestResult } from './range-test';
export { lrFinderLogLines, writeLrFinderReport } from './report';
