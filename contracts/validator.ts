// The one conformance checker (ajv over each spec) lives in the core so the emulator's own
// strict modes use it too; the contract suites and users' tests import it from here.
export { assertConforms, checkFetchResponse, checkResponse, type ConformanceResult, type ObservedResponse } from '../servers/core/conformance.js';
