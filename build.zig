// Builds the chdb-ffi shim (zig 0.11): a shared library with libc++ linked statically, hidden
// visibility and a version script, so it exports only chffi_* and runs on glibc >= 2.17.
const std = @import("std");

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{ .default_target = .{
        .abi = .gnu,
        .cpu_model = .baseline,
        .glibc_version = .{ .major = 2, .minor = 17, .patch = 0 },
    } });
    // scripts/build_shim.mjs passes -Doptimize=ReleaseFast; a bare `zig build` gives a debug build.
    const optimize = b.standardOptimizeOption(.{});

    const lib = b.addSharedLibrary(.{
        .name = "chdb_ffi",
        .target = target,
        .optimize = optimize,
    });
    lib.addCSourceFiles(&.{
        "native/engine.cpp",
        "native/connection.cpp",
        "native/arrow_export.cpp",
        "native/arrow_query_native.cpp",
        "native/native_arrow.cpp",
        "native/result_arena.cpp",
        "native/arrow_scan.cpp",
        "native/arrow_validate.cpp",
        "native/arrow_tree.cpp",
        "native/hashset.cpp",
        "native/hashfilter_kernels.cpp",
        "native/stream.cpp",
        "native/async_worker.cpp",
        "native/runnable.cpp",
        "native/blocking_call.cpp",
        "native/access.cpp",
        "native/fault.cpp",
        "native/error.cpp",
    }, &.{
        "-std=c++20",
        "-fvisibility=hidden",
        "-fvisibility-inlines-hidden",
        "-Wall",
        "-Wextra",
        "-Werror",
    });
    lib.addIncludePath(.{ .path = "native" });
    lib.linkLibCpp();
    lib.version_script = "native/exports.map";
    lib.strip = optimize != .Debug;
    b.installArtifact(lib);
}
