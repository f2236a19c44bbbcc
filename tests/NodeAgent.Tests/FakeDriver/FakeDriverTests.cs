using System.Diagnostics;
using System.Globalization;
using Platform.DevicePlugin.Tests.TestSupport;

namespace Platform.NodeAgent.Tests.FakeDriver;

/// <summary>
/// The agent's native bindings (NVML and the CUDA driver API through [LibraryImport]) against a fake driver
/// built from C, in agent processes: entry point names, struct layouts, versioned structs and return codes
/// run in CI, not only on a GPU machine. Values are the fake's (fake_nvml.c), shaped like an H200.
/// </summary>
public sealed class FakeDriverTests
{
    private const string Header = "index, uuid, name, memory.total [MiB], driver_version, pci.bus_id";

    private static string Row(int index, long memoryMiB) =>
        $"{index}, GPU-fa4e0000-0000-4000-8000-0000000000{index:x2}, NVIDIA H200, {memoryMiB} MiB, 580.159.04, 00000000:{0x10 + index:X2}:00.0";

    [FakeDriverFact]
    public async Task Discover_EveryDriverMode_ReadsTheGpusThroughTheBindings()
    {
        var nvml = await AgentProcess.RunAsync(["discover", "--Gpu:Driver=nvml", .. FakeNvidiaDriver.AgentOptions]);
        var auto = await AgentProcess.RunAsync(["discover", "--Gpu:Driver=auto", .. FakeNvidiaDriver.AgentOptions]);
        var cuda = await AgentProcess.RunAsync(["discover", "--Gpu:Driver=cuda", .. FakeNvidiaDriver.AgentOptions]);

        var expected = string.Join('\n', Header, Row(0, 143771), Row(1, 143771)) + "\n";
        Assert.Equal((0, expected, string.Empty), nvml);
        Assert.Equal((0, expected, string.Empty), auto);
        // CUDA lists the GPUs in its own order and reports the memory it can use (the total less the
        // driver's reserve); the agent orders them by PCI bus like NVML and reads minor numbers from procfs.
        Assert.Equal((0, string.Join('\n', Header, Row(0, 143155), Row(1, 143155)) + "\n", string.Empty), cuda);
    }

    [FakeDriverFact]
    public async Task Agent_OnTheDriver_ServesDcgmMetricsAndTurnsAGpuUnhealthyOnAnXid()
    {
        var xidFile = Path.Combine(FakeNvidiaDriver.Root, $"xid-{Guid.NewGuid():N}");
        var (agent, http) = await AgentProcess.StartAsync(Options(), new Dictionary<string, string> { ["FAKE_NVML_XID_FILE"] = xidFile });
        await using var _ = agent;
        using var __ = http;

        var metrics = await MetricsWhenAsync(http, page => page.Contains("DCGM_FI_DEV_FB_RESERVED{", StringComparison.Ordinal));
        // Written aside and renamed into place: the fake driver polls for the file and must never read it half-written.
        await File.WriteAllTextAsync(xidFile + ".tmp", "1 79");
        File.Move(xidFile + ".tmp", xidFile);
        var afterXid = await MetricsWhenAsync(http, page => Value(page, "raygpu_device_health", "1", "state=\"unhealthy\"") == "1");
        var exitCode = await agent.TerminateAsync();

        Assert.Contains("raygpu_info{driver=\"nvml\",driver_version=\"580.159.04\",cuda_version=\"13.0\"", metrics, StringComparison.Ordinal);
        // nvmlDeviceGetMemoryInfo_v2: used and free apart from the driver's reserve, as DCGM and nvidia-smi count.
        Assert.Equal(new string?[] { "3", "616", "143152" }, new[] {Value(metrics, "DCGM_FI_DEV_FB_USED", "0"), Value(metrics, "DCGM_FI_DEV_FB_RESERVED", "0"), Value(metrics, "DCGM_FI_DEV_FB_FREE", "0") });
        Assert.Equal(new string?[] { "1003", "616", "142152" }, new[] {Value(metrics, "DCGM_FI_DEV_FB_USED", "1"), Value(metrics, "DCGM_FI_DEV_FB_RESERVED", "1"), Value(metrics, "DCGM_FI_DEV_FB_FREE", "1") });
        Assert.Equal(new string?[] { "37", "12", "35", "79.98", "2532145", "1980", "3201" }, new[]
        {
            Value(metrics, "DCGM_FI_DEV_GPU_UTIL", "0"), Value(metrics, "DCGM_FI_DEV_MEM_COPY_UTIL", "0"), Value(metrics, "DCGM_FI_DEV_GPU_TEMP", "0"),
            Value(metrics, "DCGM_FI_DEV_POWER_USAGE", "0"), Value(metrics, "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", "0"),
            Value(metrics, "DCGM_FI_DEV_SM_CLOCK", "0"), Value(metrics, "DCGM_FI_DEV_MEM_CLOCK", "0"),
        });
        Assert.Equal("1", Value(metrics, "raygpu_device_health", "1", "state=\"healthy\""));
        Assert.Equal("79", Value(afterXid, "DCGM_FI_DEV_XID_ERRORS", "1"));
        Assert.Equal("1", Value(afterXid, "raygpu_device_health", "0", "state=\"healthy\""));
        // The CUDA cross-check sees 616 MiB less per GPU, the driver's reserve: no disagreement is logged.
        Assert.DoesNotContain("disagree", agent.Log, StringComparison.Ordinal);
        Assert.Equal(0, exitCode);
    }

    [FakeDriverFact]
    public async Task Agent_OnADriverBeforeR510_CountsTheReserveAsUsedAndLeavesReservedOut()
    {
        var (agent, http) = await AgentProcess.StartAsync(Options(), new Dictionary<string, string> { ["FAKE_NVML_NO_MEMORY_V2"] = "1" });
        await using var _ = agent;
        using var __ = http;

        var metrics = await MetricsWhenAsync(http, page => page.Contains("DCGM_FI_DEV_FB_USED{", StringComparison.Ordinal));

        Assert.Equal(new string?[] { "619", "143152" }, new[] { Value(metrics, "DCGM_FI_DEV_FB_USED", "0"), Value(metrics, "DCGM_FI_DEV_FB_FREE", "0") });
        Assert.DoesNotContain("DCGM_FI_DEV_FB_RESERVED{", metrics, StringComparison.Ordinal);
        Assert.Equal("0", Value(metrics, "raygpu_nvml_errors_total", null));
    }

    [FakeDriverFact(Needs = "curl")]
    public async Task GpuCheckScript_AgreeingDriver_PassesAndAMismatch_Fails()
    {
        var passing = await GpuCheckAsync(new Dictionary<string, string>());
        var failing = await GpuCheckAsync(new Dictionary<string, string> { ["FAKE_NVML_NO_MEMORY_V2"] = "1" });

        Assert.True(passing.ExitCode == 0, passing.Output);
        Assert.Contains("gpu-check: OK, 2 GPUs checked.", passing.Output, StringComparison.Ordinal);
        Assert.Contains("ok:   SIGTERM: the agent stopped with exit code 0", passing.Output, StringComparison.Ordinal);
        Assert.Equal(1, failing.ExitCode);
        Assert.Contains("FAIL: GPU 0 FB_USED 619 MiB counts the driver's reserved memory (3 used + 616 reserved)", failing.Output, StringComparison.Ordinal);
    }

    private static string[] Options() =>
    [
        "--Gpu:Driver=auto",
        "--Kubernetes:Enabled=false",
        "--Metrics:PodAttribution=false",
        "--Metrics:SampleInterval=00:00:00.200",
        $"--DevicePlugin:KubeletDirectory={FakeNvidiaDriver.Root}",
        .. FakeNvidiaDriver.AgentOptions,
    ];

    private static async Task<(int ExitCode, string Output)> GpuCheckAsync(Dictionary<string, string> environment)
    {
        var script = Path.Combine(RepositoryRoot.Find(), "scripts", "gpu-check.sh");
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Platform.NodeAgent.dll"));
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        var dotnetDirectory = dotnet is null ? null : Path.GetDirectoryName(dotnet);
        info.Environment["PATH"] = string.Join(':', new[] { FakeNvidiaDriver.BinDirectory, dotnetDirectory, Environment.GetEnvironmentVariable("PATH") }.Where(p => !string.IsNullOrEmpty(p)));
        info.Environment["AGENT_ARGS"] = string.Join(' ', FakeNvidiaDriver.AgentOptions.Append("--Kubernetes:Enabled=false"));
        info.Environment["GPU_CHECK_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture);
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return (process.ExitCode, await output + await error);
    }

    private static async Task<string> MetricsWhenAsync(HttpClient http, Func<string, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        string page;
        do
        {
            page = await http.GetStringAsync("/metrics");
            if (condition(page))
            {
                return page;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"/metrics never met the condition; last page:\n{page}");
        return page;
    }

    /// <summary>The value of the series <paramref name="name"/> of GPU <paramref name="gpu"/> (any GPU when null) with the extra label text.</summary>
    private static string? Value(string page, string name, string? gpu, string extra = "")
    {
        foreach (var line in page.Split('\n'))
        {
            if (line.StartsWith(name, StringComparison.Ordinal) && line.Length > name.Length && line[name.Length] is '{' or ' '
                && (gpu is null || line.Contains($"gpu=\"{gpu}\"", StringComparison.Ordinal)) && line.Contains(extra, StringComparison.Ordinal))
            {
                return line[(line.LastIndexOf(' ') + 1)..];
            }
        }

        return null;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
