// Web's byte buffer and byte helpers live in their own module so that Mustache, which does not depend on Web,
// renders into it too; Web's users keep seeing it through Web.
@_exported import Bytes
