using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Webhook.Manifests;

namespace Platform.Chart.Tests;

/// <summary>The objects of one <c>helm template</c> run, read with the webhook's YAML reader.</summary>
internal sealed class RenderedChart
{
    public const string Namespace = "ray-system";
    public const string Release = "rel";

    private RenderedChart(IReadOnlyList<JsonObject> objects) => Objects = objects;

    public IReadOnlyList<JsonObject> Objects { get; }

    public static Task<RenderedChart> RenderAsync(params string[] valueArgs) => RenderWithAsync(4, valueArgs);

    /// <summary>Renders with helm <paramref name="major"/> (3 or 4).</summary>
    public static async Task<RenderedChart> RenderWithAsync(int major, params string[] valueArgs)
    {
        var result = await Helm.RunAsync(major, ["template", Release, Helm.ChartDirectory, "--namespace", Namespace, .. valueArgs]);
        Assert.True(result.ExitCode == 0, "helm template failed: " + result.Describe());
        var objects = ManifestReader.Read(result.Stdout, "helm-template.yaml")
            .Select(d => d.Content)
            .OfType<JsonObject>()
            .ToList();
        return new RenderedChart(objects);
    }

    public IEnumerable<string> Kinds => Objects.Select(o => (string)o["kind"]!);

    public JsonObject Single(string kind) => Assert.Single(All(kind));

    public IEnumerable<JsonObject> All(string kind) => Objects.Where(o => (string?)o["kind"] == kind);

    public JsonObject? Find(string kind, string name) => Objects.FirstOrDefault(o => (string?)o["kind"] == kind && (string?)o["metadata"]?["name"] == name);

    public string ToJsonArray()
    {
        var array = new JsonArray();
        foreach (var o in Objects)
        {
            array.Add((JsonNode)o.DeepClone());
        }

        return array.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }
}
