using System.Globalization;

namespace Platform.NodeAgent.Benchmarks;

internal sealed record BenchOptions(string AgentPath, int Seconds, int Gpus)
{
    public bool IsDll => AgentPath.EndsWith(".dll", StringComparison.Ordinal);

    public string AgentDescription => IsDll ? $"JIT build ({AgentPath})" : $"NativeAOT binary ({AgentPath})";

    public static BenchOptions Parse(string[] args)
    {
        var agent = Path.Combine(AppContext.BaseDirectory, "Platform.NodeAgent.dll");
        var seconds = 30;
        var gpus = 8;
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
                default:
                    throw new ArgumentException($"Unknown option {args[i]}; use --agent <path>, --seconds <n>, --gpus <n>.");
            }
        }

        return new BenchOptions(agent, seconds, gpus);
    }
}
