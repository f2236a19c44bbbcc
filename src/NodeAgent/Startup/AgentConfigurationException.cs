using System.Globalization;
using System.Text;

namespace Platform.NodeAgent.Startup;

/// <summary>The configuration cannot start the agent; <see cref="Report"/> lists every problem with its key and fix.</summary>
internal sealed class AgentConfigurationException(IReadOnlyList<string> problems)
    : Exception($"The node agent's configuration has {problems.Count} problem(s): {string.Join(" ", problems)}")
{
    /// <summary>Exit code for a configuration the agent refuses (2, as command-line tools use for usage errors).</summary>
    public const int ExitCode = 2;

    public IReadOnlyList<string> Problems { get; } = problems;

    /// <summary>What the process prints on stderr: every problem on its own line, no stack trace.</summary>
    public string Report
    {
        get
        {
            var report = new StringBuilder();
            report.Append(CultureInfo.InvariantCulture, $"The node agent did not start: {Problems.Count} configuration problem{(Problems.Count == 1 ? string.Empty : "s")}.\n");
            foreach (var problem in Problems)
            {
                report.Append("  - ").Append(problem).Append('\n');
            }

            return report.Append("Run with --help for usage; docs/node-agent.md lists every key.\n").ToString();
        }
    }
}
