using System.Reflection;

namespace Platform.NodeAgent.Startup;

/// <summary>
/// <c>--help</c>/<c>-h</c> and <c>--version</c>: answered before any host is built, so they touch neither
/// the file system (no device-plugin directory) nor the network (no port bound).
/// </summary>
internal static class AgentCommandLine
{
    public static string Version =>
        typeof(AgentCommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(AgentCommandLine).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    public const string Help = """
        Usage: Platform.NodeAgent [--Section:Key=value ...]
               Platform.NodeAgent discover [--Gpu:Key=value ...]
               Platform.NodeAgent --help | -h | --version

        The GPU node agent: finds the node's GPUs (NVML, else the CUDA driver API), serves them to the
        kubelet as a device plugin, watches their health, labels the Node, and serves /metrics, /healthz
        and /readyz on http://0.0.0.0:9400.

        Configuration comes from the command line (--Gpu:Driver=nvml) and environment variables
        (Gpu__Driver=nvml). Sections: Gpu, DevicePlugin, Health, Metrics, Labels, Node, Kubernetes.
        Commonly set:
          --Gpu:Driver=auto|nvml|cuda|simulated    which driver to open (default auto)
          --Gpu:DriverRoot=/                        where the host's driver libraries are visible
          --Gpu:Simulated:AllowInCluster=true       allow the simulated driver inside a cluster (kind demos)
          --DevicePlugin:KubeletDirectory=PATH      the kubelet's device-plugin directory
          --Node:Name=NAME                          the Node to label (default: $NODE_NAME)
          --Kubernetes:Enabled=false                no Kubernetes API access at all
          --urls=http://127.0.0.1:9400              where /metrics, /healthz and /readyz are served
          --Logging:Console:FormatterName=simple    one readable line per log entry (default json)
        docs/node-agent.md and docs/device-plugin.md describe every key and its default.

        Commands:
          discover    print the GPUs the driver reports in nvidia-smi's CSV format, and exit

        Exit codes: 0 stopped normally; 2 the configuration was refused (every problem is listed).
        """;

    /// <summary>Writes help or the version when asked; true when the process should then exit 0.</summary>
    public static bool TryAnswer(IReadOnlyList<string> args, TextWriter output)
    {
        if (args.Any(a => a is "--help" or "-h" or "-?"))
        {
            output.WriteLine(Help);
            return true;
        }

        if (args.Contains("--version"))
        {
            output.WriteLine($"Platform.NodeAgent {Version}");
            return true;
        }

        return false;
    }
}
