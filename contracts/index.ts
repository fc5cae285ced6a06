// Contract helpers for users' own tests: check that a client's requests and the responses it
// got conform to a vendor's OpenAPI spec, and the typed clients used by this project's suites.
export { assertConforms, checkFetchResponse, checkRequest, checkResponse } from '../servers/core/conformance.js';
export type { ConformanceResult, ObservedRequest, ObservedResponse, RequestProblem } from '../servers/core/conformance.js';
export { RequestRecorder, specFor, type CallProblem, type RecordedCall } from './recorder.js';
export { CrusoeClient } from './crusoe/client.js';
export { compareWithTruth, verifyCollected, type Category, type VerifyOptions, type VerifyReport } from './verify.js';
