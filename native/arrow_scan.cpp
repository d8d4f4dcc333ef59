// JS data as tables: Arrow data in caller-pinned memory served to the engine as an
// ArrowArrayStream. get_next runs on engine threads, so everything the stream hands out is
// built from C++ state alone; it never calls back into the host runtime.
#include "arrow_abi.h"
#include "arrow_tree.h"
#include "boundary.h"
#include "chdb_ffi.h"
#include "connection.h"
#include "engine.h"

#include <atomic>
#include <cstring>
#include <map>
#include <memory>
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
    void array(ArrayNode & node, const SchemaNode & type, int depth) {
        if (depth > kMaxDepth)
            throw std::invalid_argument("Arrow layout nested too deeply");
        node.length = static_cast<int64_t>(next());
        node.null_count = static_cast<int64_t>(next());
        node.offset = static_cast<int64_t>(next());
        node.buffers.resize(count_at_most(kMaxBuffers, "buffer count"));
        for (size_t i = 0; i < node.buffers.size(); ++i) {
            const void * address = reinterpret_cast<const void *>(static_cast<uintptr_t>(next()));
            node.buffers[i] = address != nullptr || i == 0 ? address : empty_buffer;
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
            node.dictionary = std::make_unique<ArrayNode>();
            array(*node.dictionary, *type.dictionary, depth + 1);
        }
    }
};

// The state behind one stream handed to the engine: it is read once, from the first batch.
struct StreamState {
    std::shared_ptr<const ScanData> data;
    std::atomic<size_t> next{0};
    std::string error;
};

// Exports node (part of data) into *out as the stream's answer; an error code when that fails.
template <typename Struct, typename Node>
int export_root(const std::shared_ptr<const ScanData> & data, const Node & node, Struct * out,
    void (*fill)(const Node &, std::shared_ptr<const void>, Struct *), std::string & error) {
    try {
        fill(node, data, out);
        return 0;
    } catch (const std::exception & e) {
        error = e.what();
        return ENOMEM;
    }
}

int stream_get_schema(ArrowArrayStream * stream, ArrowSchema * out) {
    auto * state = static_cast<StreamState *>(stream->private_data);
    return export_root(state->data, state->data->schema, out, export_schema, state->error);
}

int stream_get_next(ArrowArrayStream * stream, ArrowArray * out) {
    auto * state = static_cast<StreamState *>(stream->private_data);
    size_t i = state->next.fetch_add(1);
    if (i >= state->data->batches.size()) {
        *out = ArrowArray{};
        return 0; // released array: the end of the stream
    }
    return export_root(state->data, state->data->batches[i], out, export_array, state->error);
}

const char * stream_last_error(ArrowArrayStream * stream) {
    auto * state = static_cast<StreamState *>(stream->private_data);
    return state->error.empty() ? nullptr : state->error.c_str();
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

int32_t unregister(chffi_scan * scan, const std::string & name, char * err, size_t err_cap) {
    auto it = scan->registered.find(name);
    if (it == scan->registered.end()) {
        write_message(err, err_cap, "no Arrow table named " + name + " is registered over this data");
        return CHFFI_MISUSE;
    }
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
    if (rc != 0) {
        write_message(err, err_cap, "the engine could not unregister arrowstream('" + name + "')");
        return CHFFI_ENGINE_ERROR;
    }
    return CHFFI_OK;
}

} // namespace
} // namespace chffi

extern "C" {

int32_t chffi_scan_new(const uint64_t * layout, size_t layout_words, const uint8_t * strings, size_t strings_len, chffi_scan ** out_scan,
    char * err, size_t err_cap) {
    return chffi::guarded(err, err_cap, [&] {
        if (out_scan == nullptr || (layout == nullptr && layout_words != 0) || (strings == nullptr && strings_len != 0)) {
            chffi::write_message(err, err_cap, "chffi_scan_new: NULL argument");
            return static_cast<int32_t>(CHFFI_MISUSE);
        }
        *out_scan = nullptr;
        auto data = std::make_shared<chffi::ScanData>();
        chffi::LayoutReader reader{layout, layout_words, 0, strings, strings_len};
        try {
            reader.schema(data->schema, 0);
            data->batches.resize(reader.count_at_most(1u << 30, "batch count"));
            for (chffi::ArrayNode & batch : data->batches)
                reader.array(batch, data->schema, 0);
            if (reader.pos != layout_words)
                throw std::invalid_argument("Arrow layout has trailing words");
        } catch (const std::invalid_argument & e) {
            chffi::write_message(err, err_cap, e.what());
            return static_cast<int32_t>(CHFFI_MISUSE);
        }
        chffi::fault::allocation();
        auto scan = std::make_unique<chffi_scan>();
        scan->data = std::move(data);
        *out_scan = scan.release();
        return static_cast<int32_t>(CHFFI_OK);
    });
}

int32_t chffi_scan_register(chffi_conn * conn, chffi_scan * scan, const char * name, size_t name_len, char * err, size_t err_cap) {
    return chffi::guarded(err, err_cap, [&] {
        const chffi::EngineApi * api = chffi::engine();
        if (api == nullptr || api->arrow_scan == nullptr || api->arrow_unregister_table == nullptr) {
            chffi::write_message(err, err_cap, api ? "this libchdb has no chdb_arrow_scan: upgrade chDB" : "libchdb is not loaded");
            return static_cast<int32_t>(CHFFI_MISUSE);
        }
        if (conn == nullptr || scan == nullptr || name == nullptr || name_len == 0) {
            chffi::write_message(err, err_cap, "chffi_scan_register: NULL argument or empty name");
            return static_cast<int32_t>(CHFFI_MISUSE);
        }
        std::string key(name, name_len);
        if (key.find('\0') != std::string::npos) {
            chffi::write_message(err, err_cap, "table name contains a NUL byte");
            return static_cast<int32_t>(CHFFI_MISUSE);
        }
        if (scan->registered.count(key) != 0) {
            chffi::write_message(err, err_cap, "arrowstream('" + key + "') is already registered");
            return static_cast<int32_t>(CHFFI_MISUSE);
        }
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
            chffi::write_message(err, err_cap, "the engine refused to register arrowstream('" + key + "') (is the name already in use?)");
            return static_cast<int32_t>(CHFFI_ENGINE_ERROR);
        }
        scan->registered.emplace(key, chffi_scan::Registration{conn, std::move(stream)});
        return static_cast<int32_t>(CHFFI_OK);
    });
}

int32_t chffi_scan_unregister(chffi_conn * conn, chffi_scan * scan, const char * name, size_t name_len, char * err, size_t err_cap) {
    return chffi::guarded(err, err_cap, [&] {
        if (conn == nullptr || scan == nullptr || (name == nullptr && name_len != 0)) {
            chffi::write_message(err, err_cap, "chffi_scan_unregister: NULL argument");
            return static_cast<int32_t>(CHFFI_MISUSE);
        }
        return chffi::unregister(scan, std::string(name ? name : "", name_len), err, err_cap);
    });
}

void chffi_scan_free(chffi_scan * scan) {
    if (scan == nullptr)
        return;
    try {
        while (!scan->registered.empty()) {
            std::string name = scan->registered.begin()->first;
            chffi::unregister(scan, name, nullptr, 0);
        }
    } catch (...) {
        // best effort: the data itself is still freed once no stream refers to it
    }
    delete scan;
}

} // extern "C"
