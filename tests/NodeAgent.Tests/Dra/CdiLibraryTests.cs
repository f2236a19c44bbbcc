using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.NodeAgent.Dra.Prepare;
using Platform.NodeAgent.Kubernetes;
using Platform.NodeAgent.Tests.Fakes;

namespace Platform.NodeAgent.Tests.Dra;

/// <summary>
/// The claim CDI specs Prepare writes, loaded by the Container Device Interface library that container
/// runtimes use (<see cref="CdiChecker"/>) with its JSON schema on, and injected into an OCI spec.
/// </summary>
public sealed class CdiLibraryTests : IAsyncLifetime
{
    private const string Uid = "6a0f3e52-2b7c-4c1e-9d43-5b8f0c2a7e11";
    private static readonly Platform.NodeAgent.Gpu.GpuDevice[] Gpus = [TestGpus.Device(0), TestGpus.Device(1), TestGpus.Device(2)];
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dra-cdi-");
    private FakeKubernetesApi _api = null!;
    private KubernetesConnection _kubernetes = null!;

    private string Cdi => Path.Combine(_dir.FullName, "cdi");

    public async Task InitializeAsync()
    {
        _api = await FakeKubernetesApi.StartAsync("node-a");
        _kubernetes = new KubernetesConnection(_api.WriteKubeconfig(_dir.FullName), inCluster: false, NullLogger<KubernetesConnection>.Instance);
    }

    public async Task DisposeAsync()
    {
        _kubernetes.Dispose();
        await _api.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task PreparedClaimSpec_LoadsInTheCdiLibrary_AndInjectsTheClaimsGpus()
    {
        _api.PutClaim("ml", "pair", Uid, ("gpus", "gpu.raygpu.io", "node-a", "gpu-1"), ("gpus", "gpu.raygpu.io", "node-a", "gpu-0"));
        var outcome = await PrepareAsync("pair");
        var requestDevice = outcome.Devices[0].CdiDeviceIds[1];

        var result = await CdiChecker.RunAsync(Cdi, requestDevice);

        Assert.Empty(result.GetProperty("specErrors").EnumerateObject());
        Assert.Equal([requestDevice], result.GetProperty("devices").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(string.Empty, result.GetProperty("injectError").GetString());
        Assert.Equal([$"NVIDIA_VISIBLE_DEVICES={Gpus[1].Uuid},{Gpus[0].Uuid}"], result.GetProperty("env").EnumerateArray().Select(e => e.GetString()));
    }

    /// <summary>
    /// A container naming one request gets from the kubelet the CDI ids of that request's devices only; what the
    /// runtime injects from them names that request's GPUs only, a prioritized-list request's included.
    /// </summary>
    [Fact]
    public async Task ClaimWithSeveralRequests_EachRequestsDevices_InjectOnlyThatRequestsGpus()
    {
        _api.PutClaim("ml", "mixed", Uid,
            ("train", "gpu.raygpu.io", "node-a", "gpu-0"), ("train", "gpu.raygpu.io", "node-a", "gpu-2"), ("serve/h100", "gpu.raygpu.io", "node-a", "gpu-1"));
        var outcome = await PrepareAsync("mixed");

        var results = new Dictionary<string, JsonElement>();
        foreach (var request in new[] { "train", "serve/h100" })
        {
            var ids = outcome.Devices.Where(d => d.RequestNames.Contains(request)).SelectMany(d => d.CdiDeviceIds).Where(i => i.StartsWith("gpu.raygpu.io/", StringComparison.Ordinal));
            results[request] = await CdiChecker.RunAsync(Cdi, [.. ids]);
        }

        Assert.All(results.Values, r => Assert.Empty(r.GetProperty("specErrors").EnumerateObject()));
        Assert.All(results.Values, r => Assert.Equal(string.Empty, r.GetProperty("injectError").GetString()));
        Assert.Equal(
            [$"gpu.raygpu.io/claim={Uid}-serve_h100", $"gpu.raygpu.io/claim={Uid}-train"],
            results["train"].GetProperty("devices").EnumerateArray().Select(d => d.GetString()).Order(StringComparer.Ordinal));
        Assert.Equal([$"NVIDIA_VISIBLE_DEVICES={Gpus[0].Uuid},{Gpus[2].Uuid}"], results["train"].GetProperty("env").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([$"NVIDIA_VISIBLE_DEVICES={Gpus[1].Uuid}"], results["serve/h100"].GetProperty("env").EnumerateArray().Select(e => e.GetString()));
    }

    /// <summary>An older agent's record and spec (one claim device on every GPU): the spec written again after a reboot still loads and injects.</summary>
    [Fact]
    public async Task ClaimRecordedByTheOlderLayout_GetsItsSpecBack_ThatLoadsAndInjects()
    {
        var plugin = Path.Combine(_dir.FullName, "plugin");
        File.Delete(ClaimRecords.WriteOlderLayout(plugin, Cdi, "gpu.raygpu.io", new ClaimRef("ml", "old", Uid), Gpus[0].Uuid, Gpus[1].Uuid));

        var outcome = await PrepareAsync("old");
        var result = await CdiChecker.RunAsync(Cdi, outcome.Devices[0].CdiDeviceIds[1]);

        Assert.Equal($"gpu.raygpu.io/claim={Uid}", outcome.Devices[0].CdiDeviceIds[1]);
        Assert.Empty(result.GetProperty("specErrors").EnumerateObject());
        Assert.Equal([$"NVIDIA_VISIBLE_DEVICES={Gpus[0].Uuid},{Gpus[1].Uuid}"], result.GetProperty("env").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Checker_RefusesAnInvalidSpec()
    {
        File.WriteAllText(Path.Combine(_dir.FullName, "bad.json"), """{"cdiVersion":"0.5.0","kind":"gpu.raygpu.io/claim","devices":[{"name":"-bad name","containerEdits":{"env":["A=1"]}}]}""");

        var result = await CdiChecker.RunAsync(_dir.FullName);

        Assert.Contains("bad.json", result.GetProperty("specErrors").EnumerateObject().Single().Name, StringComparison.Ordinal);
        Assert.Empty(result.GetProperty("devices").EnumerateArray());
    }

    private async Task<ClaimOutcome> PrepareAsync(string name)
    {
        var preparer = new ClaimPreparer("gpu.raygpu.io", Cdi, "node-a", _kubernetes, () => Gpus, _ => null,
            new PreparedClaimStore(Path.Combine(_dir.FullName, "plugin")), TimeProvider.System, NullLogger<ClaimPreparer>.Instance);
        var outcome = (await preparer.PrepareAsync([new ClaimRef("ml", name, Uid)], CancellationToken.None).DefaultTimeout())[Uid];
        Assert.Null(outcome.Error);
        return outcome;
    }
}
