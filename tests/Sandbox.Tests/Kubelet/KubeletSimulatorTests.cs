using Grpc.Core;
using Platform.Sandbox.Kubelet;
using Platform.Sandbox.Tests.TestSupport;
using V1;
using V1Beta1;

namespace Platform.Sandbox.Tests.Kubelet;

/// <summary>The kubelet simulator's protocol behaviour over real Unix sockets, against a scripted device plugin.</summary>
public sealed class KubeletSimulatorTests : IAsyncLifetime
{
    private const string Gpu = "nvidia.com/gpu";

    private readonly string _root = Directory.CreateTempSubdirectory("kubelet-").FullName;
    private KubeletSimulator _kubelet = null!;
    private TestDevicePlugin _plugin = null!;

    public async Task InitializeAsync()
    {
        _kubelet = await KubeletSimulator.StartAsync(_root, CancellationToken.None).DefaultTimeout();
        _plugin = await TestDevicePlugin.StartAsync(Path.Combine(_kubelet.DevicePluginDirectory, "test.sock"));
    }

    public async Task DisposeAsync()
    {
        await _plugin.DisposeAsync();
        await _kubelet.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Theory]
    [InlineData("v1alpha", Gpu, "test.sock")]
    [InlineData("v1beta1", "gpu", "test.sock")]
    [InlineData("v1beta1", Gpu, "../test.sock")]
    public async Task Register_InvalidRequest_IsRefusedWithInvalidArgument(string version, string resource, string endpoint)
    {
        using var channel = UnixChannel.For(_kubelet.RegistrationSocket);
        var client = new Registration.RegistrationClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.RegisterAsync(new RegisterRequest { Version = version, ResourceName = resource, Endpoint = endpoint }).ResponseAsync.DefaultTimeout());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.False(_kubelet.IsRegistered(resource));
    }

    [Fact]
    public async Task Register_DialsBackAndKeepsTheLatestListAndWatchMessage()
    {
        await RegisterAsync(("a", true), ("b", true));

        _plugin.Send(("a", true), ("b", false), ("c", true));
        await _kubelet.WaitUntilAsync(k => k.Devices().Count == 3, Timeouts.Default, CancellationToken.None);

        Assert.Equal(["a", "c"], _kubelet.Devices().Where(d => d.Healthy).Select(d => d.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Admit_FollowsThePreferredAllocationAndServesItOnPodResources()
    {
        await RegisterAsync(("a", true), ("b", true), ("c", true));
        _plugin.Prefer = available => [available[^1]];

        var admission = await _kubelet.AdmitAsync(Pod("p1", 1), CancellationToken.None).DefaultTimeout();

        Assert.True(admission.Admitted);
        var allocation = Assert.Single(admission.Allocations);
        Assert.Equal(["c"], allocation.DeviceIds);
        Assert.Equal("c", allocation.Environment["NVIDIA_VISIBLE_DEVICES"]);
        var request = Assert.Single(_plugin.Allocations);
        Assert.Equal(["c"], Assert.Single(request.ContainerRequests).DevicesIds);

        using var channel = UnixChannel.For(_kubelet.PodResourcesSocket);
        var lister = new PodResourcesLister.PodResourcesListerClient(channel);
        var list = await lister.ListAsync(new ListPodResourcesRequest()).ResponseAsync.DefaultTimeout();
        var pod = Assert.Single(list.PodResources);
        Assert.Equal(("ns", "p1"), (pod.Namespace, pod.Name));
        Assert.Equal(["c"], Assert.Single(Assert.Single(pod.Containers).Devices).DeviceIds);
        var get = await lister.GetAsync(new GetPodResourcesRequest { PodNamespace = "ns", PodName = "p1" }).ResponseAsync.DefaultTimeout();
        Assert.Equal("p1", get.PodResources.Name);
        var missing = await Assert.ThrowsAsync<RpcException>(() => lister.GetAsync(new GetPodResourcesRequest { PodNamespace = "ns", PodName = "nope" }).ResponseAsync.DefaultTimeout());
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Admit_PreferenceOutsideTheAvailableDevices_IsIgnoredAndFilledUp()
    {
        await RegisterAsync(("a", true), ("b", true));
        _plugin.Prefer = _ => ["zz", "a"];

        var admission = await _kubelet.AdmitAsync(Pod("p1", 2), CancellationToken.None).DefaultTimeout();

        Assert.Equal(["a", "b"], Assert.Single(admission.Allocations).DeviceIds);
    }

    [Fact]
    public async Task Admit_NeverHandsOutUnhealthyOrUsedDevices_AndRejectsWhatDoesNotFit()
    {
        await RegisterAsync(("a", true), ("b", false), ("c", true));
        var first = await _kubelet.AdmitAsync(Pod("p1", 1), CancellationToken.None).DefaultTimeout();

        var second = await _kubelet.AdmitAsync(Pod("p2", 1), CancellationToken.None).DefaultTimeout();
        var third = await _kubelet.AdmitAsync(Pod("p3", 1), CancellationToken.None).DefaultTimeout();

        Assert.Equal(["a"], Assert.Single(first.Allocations).DeviceIds);
        Assert.Equal(["c"], Assert.Single(second.Allocations).DeviceIds);
        Assert.False(third.Admitted);
        Assert.Equal("OutOfnvidia.com/gpu", third.Reason);
        Assert.Contains("requested: 1, used: 2, capacity: 2", third.Message, StringComparison.Ordinal);
        Assert.Equal(2, _kubelet.Pods().Count);

        Assert.True(_kubelet.Remove("ns", "p1"));
        var fourth = await _kubelet.AdmitAsync(Pod("p4", 1), CancellationToken.None).DefaultTimeout();
        Assert.Equal(["a"], Assert.Single(fourth.Allocations).DeviceIds);
    }

    [Fact]
    public async Task GetAllocatableResources_ListsOnlyHealthyDevices()
    {
        await RegisterAsync(("a", true), ("b", false));
        using var channel = UnixChannel.For(_kubelet.PodResourcesSocket);

        var answer = await new PodResourcesLister.PodResourcesListerClient(channel).GetAllocatableResourcesAsync(new AllocatableResourcesRequest()).ResponseAsync.DefaultTimeout();

        var devices = Assert.Single(answer.Devices);
        Assert.Equal(Gpu, devices.ResourceName);
        Assert.Equal(["a"], devices.DeviceIds);
    }

    [Fact]
    public async Task ListAndWatchEnding_MarksEveryDeviceUnhealthy()
    {
        await RegisterAsync(("a", true), ("b", true));

        _plugin.Updates.Writer.TryComplete();
        await _kubelet.WaitUntilAsync(k => k.Devices().All(d => !d.Healthy), Timeouts.Default, CancellationToken.None);

        var rejected = await _kubelet.AdmitAsync(Pod("p1", 1), CancellationToken.None).DefaultTimeout();
        Assert.False(rejected.Admitted);
        Assert.Equal(2, _kubelet.Devices().Count);
    }

    private async Task RegisterAsync(params (string Id, bool Healthy)[] devices)
    {
        using var channel = UnixChannel.For(_kubelet.RegistrationSocket);
        await new Registration.RegistrationClient(channel).RegisterAsync(new RegisterRequest { Version = "v1beta1", ResourceName = Gpu, Endpoint = "test.sock" }).ResponseAsync.DefaultTimeout();
        _plugin.Send(devices);
        await _kubelet.WaitUntilAsync(k => k.IsRegistered(Gpu) && k.Devices().Count == devices.Length, Timeouts.Default, CancellationToken.None);
    }

    private static PodRequest Pod(string name, int gpus) =>
        new("ns", name, [new ContainerRequest("ray-worker", new Dictionary<string, int> { [Gpu] = gpus })]);
}
