using System.Globalization;

namespace Platform.NodeAgent.Benchmarks;

/// <param name="MemoryLimitMiB">The container memory limit to emulate for the agent's GC (0: none); the
/// default is the chart's <c>nodeAgent.resources.limits.memory</c>.</param>
internal sealed record BenchOptions(string AgentPath, int Seconds, int Gpus, int MemoryLimitMiB)
{
    public bool IsDll => AgentPath.EndsWith(".dll", StringComparison.Ordinal);

    public string AgentDescription => IsDll ? $"JIT build ({AgentPath})" : $"NativeAOT binary ({AgentPath})";

    public static BenchOptions Parse(string[] args)
    {
        var agent = Path.Combine(AppContext.BaseDirectory, "Platform.NodeAgent.dll");
        var seconds = 30;
        var gpus = 8;
        var memoryLimit = ChartMemoryLimitMiB;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--agent":
                    agent = Path.GetFullPath(args[i + 1]);
                    break;
                case "--seconds":
                    seconds = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--gpus":
                    gpus = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--memory-limit-mib":
                    memoryLimit = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                default:
                    throw new ArgumentException($"Unknown option {args[i]}; use --agent <path>, --seconds <n>, --gpus <n>, --memory-limit-mib <n> (0: no limit).");
            }
        }

        return new BenchOptions(agent, seconds, gpus, memoryLimit);
    }

    /// <summary>charts/platform/values.yaml: <c>nodeAgent.resources.limits.memory: 128Mi</c>.</summary>
    public const int ChartMemoryLimitMiB = 128;
}
