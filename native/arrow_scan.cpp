// JS data as tables: Arrow data copied out of caller memory, checked, and served to the engine
// as an ArrowArrayStream. get_next runs on engine threads, so everything the stream hands out is
// built from C++ state alone; it never calls back into the host runtime.
//
// Why a copy: the engine reads the data on its own threads, during async queries and streams
// while JS keeps running, and JS can detach (transfer) or rewrite any of its buffers at any
// time. A copy in memory JS cannot reach is the only state that stays as it was checked.
#include "arrow_abi.h"
#include "arrow_tree.h"
#include "arrow_validate.h"
#include "boundary.h"
#include "chdb_ffi.h"
#include "connection.h"
#include "engine.h"
#include "result_arena.h"

#include <sys/mman.h>

#include <atomic>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace chffi {
namespace {

constexpr int kMaxDepth = 64;
constexpr int64_t kMaxBuffers = 4;

// Stands in for empty buffers: consumers may dereference any non-validity buffer.
alignas(64) const uint8_t empty_buffer[64] = {};

// Immutable once built; shared by every stream handed to the engine.
struct ScanData {
    SchemaNode schema;
    std::vector<ArrayNode> batches;
    Arena memory; // the copies of the caller's buffers that batches point into
};

// Reads the caller's layout words.
struct LayoutReader {
    const uint64_t * words;
    size_t count;
    size_t pos = 0;
    const uint8_t * strings;
    size_t strings_len;

    uint64_t next() {
        if (pos >= count)
            throw std::invalid_argument("Arrow layout ends early");
        return words[pos++];
    }
    int64_t count_at_most(uint64_t limit, const char * what) {
        uint64_t n = next();
        // Each counted node takes at least one more word: no allocation beyond what the layout can describe.
        if (n > limit || n > count - pos)
            throw std::invalid_argument(std::string("Arrow layout: implausible ") + what);
        return static_cast<int64_t>(n);
    }
    std::string text() {
        uint64_t offset = next(), len = next();
        if (offset > strings_len || len > strings_len - offset)
            throw std::invalid_argument("Arrow layout: string out of range");
        return std::string(reinterpret_cast<const char *>(strings + offset), len);
    }
    void schema(SchemaNode & node, int depth) {
        if (depth > kMaxDepth)
            throw std::invalid_argument("Arrow layout nested too deeply");
        node.format = text();
        node.name = text();
        node.flags = static_cast<int64_t>(next());
        node.children.resize(count_at_most(1u << 20, "child count"));
        bool has_dictionary = next() != 0;
        for (SchemaNode & child : node.children)
            schema(child, depth + 1);
        if (has_dictionary) {
            node.dictionary = std::make_unique<SchemaNode>();
            schema(*node.dictionary, depth + 1);
        }
    }
    void array(SizedArray & node, const SchemaNode & type, int depth) {
        if (depth > kMaxDepth)
            throw std::invalid_argument("Arrow layout nested too deeply");
        node.length = static_cast<int64_t>(next());
        node.null_count = static_cast<int64_t>(next());
        node.offset = static_cast<int64_t>(next());
        node.buffers.resize(count_at_most(kMaxBuffers, "buffer count"));
        for (SizedBuffer & b : node.buffers) {
            b.data = reinterpret_cast<const uint8_t *>(static_cast<uintptr_t>(next()));
            b.size = next();
            if (b.data == nullptr && b.size != 0)
                throw std::invalid_argument("Arrow layout: a buffer of " + std::to_string(b.size) + " bytes at address 0");
        }
        node.children.resize(count_at_most(type.children.size(), "child count"));
        if (node.children.size() != type.children.size())
            throw std::invalid_argument("Arrow layout: array children do not match the schema");
        bool has_dictionary = next() != 0;
        if (has_dictionary != (type.dictionary != nullptr))
            throw std::invalid_argument("Arrow layout: array dictionary does not match the schema");
        for (size_t i = 0; i < node.children.size(); ++i)
            array(node.children[i], type.children[i], depth + 1);
        if (has_dictionary) {
            node.dictionary = std::make_unique<SizedArray>();
            array(*node.dictionary, *type.dictionary, depth + 1);
        }
    }
};

// Parses a whole layout: the schema, then every batch (the caller's buffers untouched).
void read_layout(const uint64_t * layout, size_t layout_words, const uint8_t * strings, size_t strings_len, SchemaNode & schema,
    std::vector<SizedArray> & batches) {
    LayoutReader reader{layout, layout_words, 0, strings, strings_len};
    reader.schema(schema, 0);
    batches.resize(reader.count_at_most(1u << 30, "batch count"));
    for (SizedArray & batch : batches)
        reader.array(batch, schema, 0);
    if (reader.pos != layout_words)
        throw std::invalid_argument("Arrow layout has trailing words");
}

using Copies = std::map<std::pair<const uint8_t *, uint64_t>, uint8_t *>;

constexpr uint64_t kCopyAlignment = 64;

// Lists every distinct buffer of node in `copies` (a buffer described several times, such as the
// string data or dictionary of every slice of one JS batch, is copied once); returns the bytes
// they take, each 64-byte aligned.
uint64_t list_buffers(const SizedArray & node, Copies & copies) {
    uint64_t bytes = 0;
    for (const SizedBuffer & b : node.buffers)
        if (b.size != 0 && copies.try_emplace({b.data, b.size}, nullptr).second)
            bytes += (b.size + kCopyAlignment - 1) / kCopyAlignment * kCopyAlignment;
    for (const SizedArray & child : node.children)
        bytes += list_buffers(child, copies);
    if (node.dictionary)
        bytes += list_buffers(*node.dictionary, copies);
    return bytes;
}

// Copies every listed buffer into one block of `bytes` bytes, faulted in at once (much faster
// than page by page as memcpy touches it).
void copy_listed(Copies & copies, uint64_t bytes, Arena & memory) {
    if (bytes == 0)
        return;
    uint8_t * block = memory.allocate(bytes);
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 // Linux 5.14; older kernels refuse it and memcpy faults the pages in
#endif
    uintptr_t page = 4096, begin = reinterpret_cast<uintptr_t>(block) / page * page;
    madvise(reinterpret_cast<void *>(begin), reinterpret_cast<uintptr_t>(block) + bytes - begin, MADV_POPULATE_WRITE);
    for (auto & [source, copy] : copies) {
        std::memcpy(block, source.first, source.second);
        copy = block;
        block += (source.second + kCopyAlignment - 1) / kCopyAlignment * kCopyAlignment;
    }
}

// Points every buffer of node at its copy.
void point_at_copies(SizedArray & node, const Copies & copies) {
    for (SizedBuffer & b : node.buffers)
        if (b.size != 0)
            b.data = copies.at({b.data, b.size});
    for (SizedArray & child : node.children)
        point_at_copies(child, copies);
    if (node.dictionary)
        point_at_copies(*node.dictionary, copies);
}

// The exportable node of a checked array.
void to_node(const SizedArray & from, ArrayNode & to) {
    to.length = from.length;
    to.null_count = from.null_count;
    to.offset = from.offset;
    to.buffers.resize(from.buffers.size());
    for (size_t i = 0; i < from.buffers.size(); ++i) {
        const uint8_t * data = from.buffers[i].size == 0 ? nullptr : from.buffers[i].data;
        // Consumers may dereference any non-validity buffer: an empty one points at zeros.
        to.buffers[i] = data != nullptr || i == 0 ? static_cast<const void *>(data) : empty_buffer;
    }
    to.children.resize(from.children.size());
    for (size_t i = 0; i < from.children.size(); ++i)
        to_node(from.children[i], to.children[i]);
    if (from.dictionary) {
        to.dictionary = std::make_unique<ArrayNode>();
        to_node(*from.dictionary, *to.dictionary);
    }
}

// The state behind one stream handed to the engine: it is read once, from the first batch.
// The batch counter is atomic because the engine's threads may pull batches at once; for the same
// reason the error is written once (the first failure's), under a lock, and never changed after:
// the pointer get_last_error hands out stays valid while other threads fail too.
struct StreamState {
    std::shared_ptr<const ScanData> data;
    std::atomic<size_t> next{0};
    std::mutex error_mutex;
    std::string error;

    void fail(const char * message) {
        std::lock_guard lock(error_mutex);
        if (error.empty())
            error = message && *message ? message : "the Arrow export failed";
    }
    const char * last_error() {
        std::lock_guard lock(error_mutex);
        return error.empty() ? nullptr : error.c_str();
    }
};

// Exports node (part of data) into *out as the stream's answer; an error code when that fails.
template <typename Struct, typename Node>
int export_root(StreamState & state, const Node & node, Struct * out, void (*fill)(const Node &, std::shared_ptr<const void>, Struct *)) {
    try {
        fill(node, state.data, out);
        return 0;
    } catch (const std::exception & e) {
        state.fail(e.what());
        return ENOMEM;
    }
}

int stream_get_schema(ArrowArrayStream * stream, ArrowSchema * out) {
    auto * state = static_cast<StreamState *>(stream->private_data);
    return export_root(*state, state->data->schema, out, export_schema);
}

int stream_get_next(ArrowArrayStream * stream, ArrowArray * out) {
    auto * state = static_cast<StreamState *>(stream->private_data);
    size_t i = state->next.fetch_add(1);
    if (i >= state->data->batches.size()) {
        *out = ArrowArray{};
        return 0; // released array: the end of the stream
    }
    return export_root(*state, state->data->batches[i], out, export_array);
}

const char * stream_last_error(ArrowArrayStream * stream) {
    return static_cast<StreamState *>(stream->private_data)->last_error();
}

void stream_release(ArrowArrayStream * stream) {
    delete static_cast<StreamState *>(stream->private_data);
    stream->release = nullptr;
}

} // namespace
} // namespace chffi

struct chffi_scan {
    std::shared_ptr<const chffi::ScanData> data;
    struct Registration {
        chffi_conn * conn;
        std::unique_ptr<ArrowArrayStream> stream;
    };
    std::map<std::string, Registration> registered;
};

namespace chffi {
namespace {

int32_t unregister(chffi_scan * scan, const std::string & name, chffi_error ** out_error) {
    auto it = scan->registered.find(name);
    if (it == scan->registered.end())
        return chffi::report(out_error, CHFFI_MISUSE, "no Arrow table named " + name + " is registered over this data");
    chffi_scan::Registration & r = it->second;
    int rc = 0;
    if (const EngineApi * api = engine()) {
        std::lock_guard lock(r.conn->query_mutex);
        rc = api->arrow_unregister_table(*r.conn->handle, name.c_str());
    }
    // A stream the engine did not take over (or never read) is released here; one it moved
    // out holds its own reference to the data.
    if (r.stream->release != nullptr)
        r.stream->release(r.stream.get());
    scan->registered.erase(it);
    if (rc != 0)
        return chffi::report(out_error, CHFFI_ENGINE_ERROR, "the engine could not unregister arrowstream('" + name + "')");
    return CHFFI_OK;
}

} // namespace
} // namespace chffi

extern "C" {

int32_t chffi_scan_new(const uint64_t * layout, size_t layout_words, const uint8_t * strings, size_t strings_len, chffi_scan ** out_scan,
    chffi_error ** out_error) {
    return chffi::guarded(out_error, [&] {
        if (out_scan == nullptr || (layout == nullptr && layout_words != 0) || (strings == nullptr && strings_len != 0))
            return chffi::report(out_error, CHFFI_MISUSE, "chffi_scan_new: NULL argument");
        *out_scan = nullptr;
        auto data = std::make_shared<chffi::ScanData>();
        std::vector<chffi::SizedArray> batches;
        try {
            chffi::read_layout(layout, layout_words, strings, strings_len, data->schema, batches);
            chffi::Copies copies;
            uint64_t bytes = 0;
            for (const chffi::SizedArray & batch : batches)
                bytes += chffi::list_buffers(batch, copies);
            chffi::copy_listed(copies, bytes, data->memory);
            for (chffi::SizedArray & batch : batches) {
                chffi::point_at_copies(batch, copies);
                chffi::validate_batch(data->schema, batch);
            }
        } catch (const std::invalid_argument & e) {
            return chffi::report(out_error, CHFFI_MISUSE, e.what());
        }
        data->batches.resize(batches.size());
        for (size_t i = 0; i < batches.size(); ++i)
            chffi::to_node(batches[i], data->batches[i]);
        chffi::fault::allocation();
        auto scan = std::make_unique<chffi_scan>();
        scan->data = std::move(data);
        *out_scan = scan.release();
        return static_cast<int32_t>(CHFFI_OK);
    });
}

int32_t chffi_arrow_validate(const uint64_t * layout, size_t layout_words, const uint8_t * strings, size_t strings_len, chffi_error ** out_error) {
    return chffi::guarded(out_error, [&] {
        if ((layout == nullptr && layout_words != 0) || (strings == nullptr && strings_len != 0))
            return chffi::report(out_error, CHFFI_MISUSE, "chffi_arrow_validate: NULL argument");
        chffi::SchemaNode schema;
        std::vector<chffi::SizedArray> batches;
        try {
            chffi::read_layout(layout, layout_words, strings, strings_len, schema, batches);
            for (const chffi::SizedArray & batch : batches)
                chffi::validate_batch(schema, batch);
        } catch (const std::invalid_argument & e) {
            return chffi::report(out_error, CHFFI_MISUSE, e.what());
        }
        return static_cast<int32_t>(CHFFI_OK);
    });
}

int32_t chffi_scan_register(chffi_conn * conn, chffi_scan * scan, const char * name, size_t name_len, chffi_error ** out_error) {
    return chffi::guarded(out_error, [&] {
        const chffi::EngineApi * api = chffi::engine();
        if (api == nullptr || api->arrow_scan == nullptr || api->arrow_unregister_table == nullptr)
            return chffi::report(out_error, CHFFI_MISUSE, api ? "this libchdb has no chdb_arrow_scan: upgrade chDB" : "libchdb is not loaded");
        if (conn == nullptr || scan == nullptr || name == nullptr || name_len == 0)
            return chffi::report(out_error, CHFFI_MISUSE, "chffi_scan_register: NULL argument or empty name");
        std::string key(name, name_len);
        if (key.find('\0') != std::string::npos)
            return chffi::report(out_error, CHFFI_MISUSE, "table name contains a NUL byte");
        if (scan->registered.count(key) != 0)
            return chffi::report(out_error, CHFFI_MISUSE, "arrowstream('" + key + "') is already registered");
        auto stream = std::make_unique<ArrowArrayStream>();
        auto state = std::make_unique<chffi::StreamState>();
        state->data = scan->data;
        *stream = ArrowArrayStream{chffi::stream_get_schema, chffi::stream_get_next, chffi::stream_last_error, chffi::stream_release,
            state.release()};
        int rc;
        {
            std::lock_guard lock(conn->query_mutex);
            rc = CHFFI_FAULT_OR(-1, api->arrow_scan(*conn->handle, key.c_str(), stream.get()));
        }
        if (rc != 0) {
            if (stream->release != nullptr)
                stream->release(stream.get());
            return chffi::report(out_error, CHFFI_ENGINE_ERROR, "the engine refused to register arrowstream('" + key + "') (is the name already in use?)");
        }
        scan->registered.emplace(key, chffi_scan::Registration{conn, std::move(stream)});
        return static_cast<int32_t>(CHFFI_OK);
    });
}

int32_t chffi_scan_unregister(chffi_conn * conn, chffi_scan * scan, const char * name, size_t name_len, chffi_error ** out_error) {
    return chffi::guarded(out_error, [&] {
        if (conn == nullptr || scan == nullptr || (name == nullptr && name_len != 0))
            return chffi::report(out_error, CHFFI_MISUSE, "chffi_scan_unregister: NULL argument");
        return chffi::unregister(scan, std::string(name ? name : "", name_len), out_error);
    });
}

void chffi_scan_free(chffi_scan * scan) {
    if (scan == nullptr)
        return;
    try {
        while (!scan->registered.empty()) {
            std::string name = scan->registered.begin()->first;
            chffi::unregister(scan, name, nullptr);
        }
    } catch (...) {
        // best effort: the data itself is still freed once no stream refers to it
    }
    delete scan;
}

} // extern "C"
