// See arrow_tree.h.
#include "arrow_tree.h"

#include <deque>

namespace chffi {
namespace {

// Storage for one exported schema or array tree; the root's release frees it all.
template <typename Struct>
struct Exported {
    std::shared_ptr<const void> keeper;
    std::deque<Struct> nodes;
    std::deque<std::vector<Struct *>> child_lists;
    std::deque<std::vector<const void *>> buffer_lists;
};

template <typename Struct>
void release_child(Struct * s) {
    s->release = nullptr; // owned by the root's Exported storage
}

template <typename Struct>
void release_root(Struct * s) {
    delete static_cast<Exported<Struct> *>(s->private_data);
    s->release = nullptr;
}

ArrowSchema * schema_of(const SchemaNode & node, Exported<ArrowSchema> & store) {
    ArrowSchema & s = store.nodes.emplace_back();
    s = ArrowSchema{};
    s.format = node.format.c_str();
    s.name = node.name.c_str();
    s.metadata = node.metadata.empty() ? nullptr : node.metadata.data();
    s.flags = node.flags;
    s.n_children = static_cast<int64_t>(node.children.size());
    auto & children = store.child_lists.emplace_back();
    for (const SchemaNode & child : node.children)
        children.push_back(schema_of(child, store));
    s.children = children.empty() ? nullptr : children.data();
    s.dictionary = node.dictionary ? schema_of(*node.dictionary, store) : nullptr;
    s.release = release_child<ArrowSchema>;
    return &s;
}

ArrowArray * array_of(const ArrayNode & node, Exported<ArrowArray> & store) {
    ArrowArray & a = store.nodes.emplace_back();
    a = ArrowArray{};
    a.length = node.length;
    a.null_count = node.null_count;
    a.offset = node.offset;
    auto & buffers = store.buffer_lists.emplace_back(node.buffers);
    a.n_buffers = static_cast<int64_t>(buffers.size());
    a.buffers = buffers.empty() ? nullptr : buffers.data();
    a.n_children = static_cast<int64_t>(node.children.size());
    auto & children = store.child_lists.emplace_back();
    for (const ArrayNode & child : node.children)
        children.push_back(array_of(child, store));
    a.children = children.empty() ? nullptr : children.data();
    a.dictionary = node.dictionary ? array_of(*node.dictionary, store) : nullptr;
    a.release = release_child<ArrowArray>;
    return &a;
}

template <typename Struct, typename Node, typename Fill>
void export_root(const Node & node, std::shared_ptr<const void> keeper, Struct * out, Fill fill) {
    auto store = std::make_unique<Exported<Struct>>();
    store->keeper = std::move(keeper);
    *out = *fill(node, *store);
    out->release = release_root<Struct>;
    out->private_data = store.release();
}

} // namespace

void export_schema(const SchemaNode & node, std::shared_ptr<const void> keeper, ArrowSchema * out) {
    export_root(node, std::move(keeper), out, schema_of);
}

void export_array(const ArrayNode & node, std::shared_ptr<const void> keeper, ArrowArray * out) {
    export_root(node, std::move(keeper), out, array_of);
}

} // namespace chffi
