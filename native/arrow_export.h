// Arrow results: drained C Data Interface streams flattened into a word layout for TypeScript.
#pragma once

#include "arrow_abi.h"
#include "engine.h"
#include "result_arena.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct chffi_arrow {
    // Engine-allocated data: released in reverse order of acquisition by the destructor.
    std::vector<std::unique_ptr<ArrowArrayStream>> streams;
    ArrowSchema schema{};
    std::vector<ArrowArray> batches;
    std::vector<uint64_t> layout;
    // Set when the shim built the batches: every buffer is in this arena (see chffi_arrow_viewable).
    std::shared_ptr<chffi::Arena> arena;
    ~chffi_arrow();
};

namespace chffi {

// Appends every batch of stream to out (taking the schema from it when out has none yet).
// Returns false with a message when the producer reports an error.
bool drain(ArrowArrayStream * stream, chffi_arrow & out, std::string & error);

// The engine's type-mapping options for chffi_query_arrow's flags.
EngineArrowOptions options_from(uint32_t flags);

// Builds out.layout from out.schema and out.batches.
void flatten(chffi_arrow & out);

} // namespace chffi
