package schemas

// MaxBodyBytes is the largest request body lwf sends to the Linked API,
// and the sandbox's default limit on the bodies it accepts (1 MiB). The
// compiler refuses a workflow whose JSON is larger, at compile time,
// rather than let the server refuse it at run time.
const MaxBodyBytes = 1 << 20
