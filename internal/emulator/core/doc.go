// Package core is the AWS emulator's core: everything that is not one
// service. It models what AWS's endpoints have in common:
//
//   - routing a request by the service named in its SigV4 credential scope
//     (Authorization header or presigned X-Amz-Credential), and the acting
//     identity from its access key (an account's root user, or an STS
//     session, Session);
//   - the wire protocols (Protocol): awsJson1_0, awsJson1_1, awsQuery and
//     restXml, with their error shapes (APIError, ErrorStatuses) — see the
//     Smithy protocol specifications at https://smithy.io/2.0/aws/protocols/;
//   - pagination written once (PageAfter, Paginate): tokens carry the last key
//     returned, so a page survives changes to the list;
//   - tag rules written once from AWS's documented rules (TagRules);
//   - deterministic IDs (HashID, HashUUID, HashUUID4) and random ones
//     (RandomHex, RandomUpper);
//   - the call log (Call), programmed faults (Fault), the canonical
//     snapshot, the emulator's clock and asynchronous settling (Settle), and
//     the control API (Handler, ControlPrefix);
//   - the latency and quota model (Model, off by default; DefaultModel has
//     AWS's figures with their sources): per-call latency, request-rate
//     quotas per account answered with each service's throttling error,
//     limits on asynchronous requests in progress, asynchronous work timed
//     on the clock (AsyncTimed, AsyncDue, ConcurrencyLimit for the
//     services), throttle counts (Throttled), and LowerBound, the least time
//     and calls a Workload needs under a Model;
//   - the eventual-consistency model (Consistency, off by default): services
//     start a propagation when they create a principal or an account
//     (StartPropagation) and ask before they use one (NotYetVisible), so
//     each refuses with its own AWS error;
//   - S3 Control, which signs as "s3", told from S3 by its /v20180820/ path
//     and account header (isS3Control), with its wrapped error document
//     (Service.WrappedErrors).
//
// The core knows no service. A service registers itself (Register) with its
// protocol, operations and hooks, and keeps its state per account in a slot
// of its own (State, Slot, SetSlot) or emulator-wide (Global). Requests are
// served one at a time under the emulator's lock (Lock, for the services'
// Go API).
package core
