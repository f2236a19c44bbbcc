using System.Diagnostics;
using Platform.NodeAgent.Gpu.Mig;
using Platform.NodeAgent.Gpu.Native;

namespace Platform.NodeAgent.Tests.Gpu.Mig;

/// <summary>
/// MIG discovery against a real driver, whatever its MIG mode (the tests only read it): capability and mode
/// agree with nvidia-smi, MIG devices appear exactly on MIG-enabled GPUs, and a node without MIG advertises
/// its whole GPUs under every strategy. Skipped without a driver.
/// </summary>
public class NvmlMigRealDriverTests
{
    [GpuFact]
    public async Task Discover_RealDriver_MigCapabilityAndModeMatchNvidiaSmi()
    {
        using var driver = NvmlGpuDriver.Open("/", "/sys");
        var discovery = driver.Discover();

        // nvidia-smi prints "[N/A]" for GPUs without MIG, else Enabled / Disabled.
        var modes = await NvidiaSmiAsync("--query-gpu=mig.mode.current", "--format=csv,noheader");

        Assert.Equal(discovery.Devices.Count, modes.Count);
        foreach (var device in discovery.Devices)
        {
            var mode = modes[device.Index];
            Assert.Equal(!mode.Contains("N/A", StringComparison.Ordinal), device.MigCapable);
            Assert.Equal(mode == "Enabled", device.MigEnabled);
            if (!device.MigEnabled)
            {
                Assert.DoesNotContain(discovery.MigDevices, m => m.ParentUuid == device.Uuid);
            }
        }

        Assert.All(discovery.MigDevices, m =>
        {
            Assert.StartsWith("MIG-", m.Uuid, StringComparison.Ordinal);
            Assert.True(MigProfile.IsValid(m.Profile), m.Profile);
            Assert.True(m.MemoryMiB > 0 && m.Multiprocessors > 0);
        });
    }

    [GpuFact]
    public void Plan_RealDriverWithoutMig_WholeGpusUnderEveryStrategy()
    {
        using var driver = NvmlGpuDriver.Open("/", "/sys");
        var discovery = driver.Discover();
        if (discovery.Devices.Any(d => d.MigEnabled))
        {
            // A MIG-enabled machine: single/mixed advertise its MIG devices, none its whole GPUs.
            Assert.Equal(discovery.Devices.Select(d => d.Uuid), MigPlanner.Plan(discovery, MigStrategy.None).Devices.Select(d => d.Uuid));
            return;
        }

        foreach (var strategy in new[] { MigStrategy.None, MigStrategy.Single, MigStrategy.Mixed })
        {
            var plan = MigPlanner.Plan(discovery, strategy);
            Assert.Equal(discovery.Devices.Select(d => d.Uuid), plan.Devices.Select(d => d.Uuid));
            Assert.Null(plan.Problem);
        }

        Assert.Empty(discovery.MigDevices);
    }

    private static async Task<List<string>> NvidiaSmiAsync(params string[] args)
    {
        var info = new ProcessStartInfo("nvidia-smi") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }
}
