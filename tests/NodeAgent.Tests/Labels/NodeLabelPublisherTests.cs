using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Kubernetes;
using Platform.NodeAgent.Labels;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Labels;

public class NodeLabelPublisherTests
{
    private static NodeLabelPublisher Create(IKubernetesApi api, NodeOptions node, int gpus = 2)
    {
        var runtime = GpuRuntime.Create(Substitute.For<IGpuDriver>(), TestGpus.Discovery(gpus), NullLogger<GpuRuntime>.Instance);
        return new NodeLabelPublisher(new KubernetesConnection(api, "test"), runtime, GpuSharing.None, Options.Create(new LabelsOptions()), Options.Create(node), new FakeTimeProvider(), NullLogger<NodeLabelPublisher>.Instance);
    }

    [Fact]
    public async Task Sync_UnlabelledNode_PatchesLabelsAndTaintsOnce()
    {
        var api = Substitute.For<IKubernetesApi>();
        api.GetNodeAsync("n1", Arg.Any<CancellationToken>()).Returns(new NodeState(new Dictionary<string, string> { ["nvidia.com/gpu.product"] = "old" }, [], "7"));
        var publisher = Create(api, new NodeOptions { Name = "n1", Taints = ["ray.io/node-type=worker:NoSchedule"] });

        await publisher.SyncAsync(api, "n1", CancellationToken.None).DefaultTimeout();

        await api.Received(1).PatchNodeAsync("n1", Arg.Is<string>(p => p.Contains("\"nvidia.com/gpu.count\":\"2\"", StringComparison.Ordinal) && p.Contains("\"nvidia.com/gpu.product\":\"NVIDIA-A10G\"", StringComparison.Ordinal)), Arg.Any<CancellationToken>());
        await api.Received(1).PatchNodeAsync("n1", """{"metadata":{"resourceVersion":"7"},"spec":{"taints":[{"key":"ray.io/node-type","value":"worker","effect":"NoSchedule"}]}}""", Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Sync_NodeAlreadyCorrect_NoPatch()
    {
        var api = Substitute.For<IKubernetesApi>();
        var desired = GpuLabelBuilder.Build(TestGpus.Discovery(2), GpuSharing.None, DateTimeOffset.UnixEpoch);
        api.GetNodeAsync("n1", Arg.Any<CancellationToken>()).Returns(new NodeState(desired, [new NodeTaint("ray.io/node-type", "worker", "NoSchedule")], "7"));
        var publisher = Create(api, new NodeOptions { Name = "n1", Taints = ["ray.io/node-type=worker:NoSchedule"] });

        await publisher.SyncAsync(api, "n1", CancellationToken.None).DefaultTimeout();

        await api.DidNotReceiveWithAnyArgs().PatchNodeAsync(default!, default!, default);
    }

    [Fact]
    public async Task Sync_NoGpus_RemovesOwnedLabelsAndAddsNoTaint()
    {
        var api = Substitute.For<IKubernetesApi>();
        api.GetNodeAsync("n1", Arg.Any<CancellationToken>()).Returns(new NodeState(new Dictionary<string, string> { ["nvidia.com/gpu.present"] = "true", ["team"] = "x" }, [], "7"));
        var publisher = Create(api, new NodeOptions { Name = "n1", Taints = ["ray.io/node-type=worker:NoSchedule"] }, gpus: 0);

        await publisher.SyncAsync(api, "n1", CancellationToken.None).DefaultTimeout();

        await api.Received(1).PatchNodeAsync("n1", """{"metadata":{"labels":{"nvidia.com/gpu.present":null}}}""", Arg.Any<CancellationToken>());
        await api.ReceivedWithAnyArgs(1).PatchNodeAsync(default!, default!, default);
    }

    [Fact]
    public async Task Execute_NoKubernetes_SaysWhyAndFinishesFirstPass()
    {
        var runtime = GpuRuntime.Create(Substitute.For<IGpuDriver>(), TestGpus.Discovery(1), NullLogger<GpuRuntime>.Instance);
        using var off = new KubernetesConnection(null, false, NullLogger<KubernetesConnection>.Instance);
        var publisher = new NodeLabelPublisher(off, runtime, GpuSharing.None, Options.Create(new LabelsOptions()), Options.Create(new NodeOptions { Name = "n1" }), new FakeTimeProvider(), NullLogger<NodeLabelPublisher>.Instance);

        await publisher.StartAsync(CancellationToken.None).DefaultTimeout();
        await publisher.FirstPass.DefaultTimeout();
        await publisher.StopAsync(CancellationToken.None).DefaultTimeout();

        Assert.Contains("Kubernetes API access is off", publisher.Problem, StringComparison.Ordinal);
    }
}
