{
  "variables": {
    # Which addon to build: "all" (default), or one of them for `npm run prebuild`, which runs
    # prebuildify once per addon (prebuildify takes the one .node file it finds in build/Release).
    # Set by npm_config_tsnic_addon=<name> in the environment (node-gyp passes it on as a variable).
    "tsnic_addon%": "all"
  },
  "target_defaults": {
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
    "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
    "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "-Wall", "-Wextra"],
    "libraries": ["-lpthread"]
  },
  "conditions": [
    # The production addon: host DMA memory, VFIO, capture filter compilation. Nothing of the simulator.
    ["tsnic_addon in ('all', 'tsnic')", {
      "targets": [{
        "target_name": "tsnic",
        "sources": [
          "<!@(find native/vfio native/memory native/pcap -name *.cc | sort)",
          "native/binding/addon.cc",
          "native/binding/errors.cc",
          "native/binding/irq_watch.cc",
          "native/binding/memory.cc",
          "native/binding/vfio.cc",
          "native/binding/pcap.cc"
        ],
        # dlopen() of libpcap for capture filters (native/pcap); in libc itself from glibc 2.34 on.
        "libraries": ["-ldl"]
      }]
    }],
    # The simulator addon: the simulated 82599 with its register access trap, and the benchmark's
    # native reference loop. Loaded only by lib/bus/sim.ts and the benchmark.
    ["tsnic_addon in ('all', 'tsnic_sim')", {
      "targets": [{
        "target_name": "tsnic_sim",
        "sources": [
          "<!@(find native/sim native/bench -name *.cc | sort)",
          "native/binding/sim_addon.cc",
          "native/binding/errors.cc",
          "native/binding/irq_watch.cc",
          "native/binding/sim.cc",
          "native/binding/bench.cc"
        ]
      }]
    }]
  ]
}
