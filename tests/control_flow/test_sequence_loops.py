"""Lists of tensors built in a loop (sequences meeting control flow): a PyTorch module that
appends to a list in a scripted for-loop and concatenates it exports to Loop + SequenceInsert +
ConcatFromSequence; its programs, serial and on two clusters, must match the module's output."""
import torch

from conftest import Beside, control_flow_node, export_scripted

torch.manual_seed(2025)


class ListBuiltInALoop(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(4, 4)
        self.beside = Beside()

    def forward(self, x, z):
        parts = []
        for t in range(x.size(0)):
            parts.append(torch.tanh(self.fc(x[t:t + 1])))
        return torch.cat(parts, 0), self.beside(z)


def test_list_appended_in_a_loop_and_concatenated_matches_pytorch(compiled):
    module = ListBuiltInALoop().eval()
    x, z = torch.randn(5, 4), torch.randn(1, 6)
    model = export_scripted(module, (x, z), ["x", "z"], ["y", "w"])
    ops = [node.op_type for node in model.graph.node]
    assert "SequenceEmpty" in ops and "Loop" in ops and "ConcatFromSequence" in ops
    body = next(n for n in model.graph.node if n.op_type == "Loop").attribute[0].g
    assert "SequenceInsert" in [node.op_type for node in body.node]

    program = compiled(model, "list_in_loop")
    loop = control_flow_node(program.parallel_schedule)
    clusters = program.clusters_of(program.parallel_schedule)
    assert len(set(clusters.values())) == 2
    assert clusters[loop["name"]] != clusters[next(n for n in clusters if "Relu" in n)]
    with torch.no_grad():
        want = module(x, z)
    for outputs in program.run([x, z]):
        for got, expected in zip(outputs, want):
            torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-6)
