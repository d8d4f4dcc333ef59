// Arrow C Data Interface structs exported from a tree of plain C++ nodes: the exported root owns
// the structs of the whole tree and their child and buffer lists, and its release frees them all.
// What the nodes name (format and name strings, buffers) is kept alive by `keeper` until then.
#pragma once

#include "arrow_abi.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace chffi {

struct SchemaNode {
    std::string format;
    std::string name;
    std::string metadata; // the C Data Interface's binary encoding; empty for none
    int64_t flags = 0;
    std::vector<SchemaNode> children;
    std::unique_ptr<SchemaNode> dictionary;
};

struct ArrayNode {
    int64_t length = 0;
    int64_t null_count = 0;
    int64_t offset = 0;
    std::vector<const void *> buffers;
    std::vector<ArrayNode> children;
    std::unique_ptr<ArrayNode> dictionary;
};

// Fills *out from node (the strings are node's own: keeper must keep node alive). Throws
// std::bad_alloc.
void export_schema(const SchemaNode & node, std::shared_ptr<const void> keeper, ArrowSchema * out);

// Fills *out from node (node may go away; keeper keeps its buffers alive). Throws std::bad_alloc.
void export_array(const ArrayNode & node, std::shared_ptr<const void> keeper, ArrowArray * out);

} // namespace chffi
