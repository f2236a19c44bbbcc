using System.Text.RegularExpressions;

namespace Platform.Webhook.Tests;

/// <summary>
/// Folders of src/Webhook are features; a pair that references each other both ways is one feature split in two
/// (or a missing third). Read from the sources: a namespace named in a using or a qualified name is a reference.
/// </summary>
public sealed partial class FolderDependencyTests
{
    /// <summary>The server's edge folders, which must take part in no cycle.</summary>
    private static readonly string[] EdgeFolders = ["Hosting", "Server", "Settings", "Tls", "Health", "Diagnostics", "Admission", "Cli", "Manifests"];

    [Fact]
    public void EdgeFolders_TakePartInNoCycle()
    {
        var graph = ReferenceGraph();

        var cycles = EdgeFolders
            .Where(graph.ContainsKey)
            .Select(folder => (Folder: folder, Path: PathBack(graph, folder)))
            .Where(c => c.Path is not null)
            .Select(c => string.Join(" -> ", c.Path!))
            .ToList();

        Assert.True(cycles.Count == 0, "folder cycles: " + string.Join("; ", cycles));
    }

    [Theory]
    [InlineData("Admission")]
    [InlineData("Mutation")]
    [InlineData("Policy")]
    [InlineData("Server")]
    [InlineData("Settings")]
    [InlineData("Hosting")]
    [InlineData("Health")]
    [InlineData("Tls")]
    [InlineData("Diagnostics")]
    public void ServerFolders_NeverReachTheOfflineCli(string folder)
    {
        var graph = ReferenceGraph();

        var reachable = Reachable(graph, folder);

        Assert.DoesNotContain("Cli", reachable);
        Assert.DoesNotContain("Manifests", reachable);
    }

    private static HashSet<string> Reachable(Dictionary<string, HashSet<string>> graph, string start)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([start]);
        while (pending.TryPop(out var folder))
        {
            foreach (var next in graph.GetValueOrDefault(folder) ?? [])
            {
                if (seen.Add(next))
                {
                    pending.Push(next);
                }
            }
        }

        return seen;
    }

    private static Dictionary<string, HashSet<string>> ReferenceGraph()
    {
        var root = RepositoryPaths.Get("src", "Webhook");
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file);
            if (relative.StartsWith("obj", StringComparison.Ordinal) || relative.StartsWith("bin", StringComparison.Ordinal) || !relative.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                continue;
            }

            var folder = relative[..relative.IndexOf(Path.DirectorySeparatorChar, StringComparison.Ordinal)];
            var references = graph.TryGetValue(folder, out var set) ? set : graph[folder] = [];
            foreach (Match match in NamespaceReference().Matches(File.ReadAllText(file)))
            {
                if (match.Groups[1].Value != folder)
                {
                    references.Add(match.Groups[1].Value);
                }
            }
        }

        return graph;
    }

    /// <summary>A path from <paramref name="start"/> back to itself, or null.</summary>
    private static List<string>? PathBack(Dictionary<string, HashSet<string>> graph, string start)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<List<string>>();
        stack.Push([start]);
        while (stack.Count > 0)
        {
            var path = stack.Pop();
            foreach (var next in graph.GetValueOrDefault(path[^1]) ?? [])
            {
                if (next == start)
                {
                    return [.. path, next];
                }

                if (seen.Add(next))
                {
                    stack.Push([.. path, next]);
                }
            }
        }

        return null;
    }

    [GeneratedRegex(@"Platform\.Webhook\.([A-Z][A-Za-z]*)")]
    private static partial Regex NamespaceReference();
}
