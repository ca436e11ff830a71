// The one oneDNN CPU engine the library's primitives are built for and run on.
#pragma once

#include <dnnl.hpp>

namespace ramiel::kernels {

inline const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

}  // namespace ramiel::kernels
