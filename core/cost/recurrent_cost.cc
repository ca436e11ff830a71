// Recurrent layers: per time step, the gate matrices times input and hidden state, then one
// activation per gate unit.
#include "core/cost/op_cost.h"
#include "core/cost/shape_facts.h"

namespace ramiel::cost {

OpWork recurrent_cost(const ir::Node& node) {
  // X is [seq, batch, input] ([batch, seq, input] with layout=1); W is
  // [directions, gates * hidden, input] and R is [directions, gates * hidden, hidden], so W and
  // R hold every weight each step multiplies.
  const std::vector<int64_t> x = dims_of(node.input(0));
  const bool batch_first = node.attributes().get_int("layout", 0) != 0;
  const double steps = static_cast<double>(dim_or(x, batch_first ? 1 : 0, 1));
  const double batch = static_cast<double>(dim_or(x, batch_first ? 0 : 1, 1));
  const std::vector<int64_t> w = dims_of(node.input(1));
  const double gate_units = product(w, 0, 2);  // directions * gates * hidden

  OpWork work;
  work.flops = steps * batch *
               (2.0 * (elements_of(node.input(1)) + elements_of(node.input(2))) +
                gate_units * kTranscendentalOps);
  work.bytes = io_bytes(node);
  return work;
}

}  // namespace ramiel::cost
