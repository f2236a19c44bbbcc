using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Platform.NodeAgent.Gpu;

/// <summary>
/// <c>Platform.NodeAgent discover</c>: runs discovery once and prints the columns of
/// <c>nvidia-smi --query-gpu=index,uuid,name,memory.total,driver_version,pci.bus_id --format=csv</c>
/// in its format, so <c>scripts/gpu-check.sh</c> can diff the two.
/// </summary>
internal static class DiscoverCommand
{
    public const string Header = "index, uuid, name, memory.total [MiB], driver_version, pci.bus_id";

    public static int Run(GpuOptions options, TextWriter output, TextWriter error)
    {
        var validation = new GpuOptionsValidator(ClusterDetector.None).Validate(null, options);
        if (validation.Failed)
        {
            error.WriteLine(validation.FailureMessage);
            return 2;
        }

        // A missing driver is this command's exit 1 with the driver's reason, whatever Gpu:FailOnInitError says
        // (the DaemonSet's environment may set it): the option is about starting the agent.
        options.FailOnInitError = false;
        using var runtime = new GpuRuntime(Options.Create(options), TimeProvider.System, NullLogger<GpuRuntime>.Instance);
        if (runtime.InitError is not null)
        {
            error.WriteLine($"discover: {runtime.InitError}");
            return 1;
        }

        output.Write(Format(runtime.Discovery));
        return 0;
    }

    public static string Format(GpuDiscovery discovery)
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        writer.WriteLine(Header);
        foreach (var device in discovery.Devices)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{device.Index}, {device.Uuid}, {device.Name}, {device.MemoryMiB} MiB, {discovery.DriverVersion}, {device.PciBusId}"));
        }

        return writer.ToString();
    }
}
