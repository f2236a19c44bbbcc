using System.Text.Json.Nodes;
using Platform.Webhook.Manifests;

namespace Platform.Chart.Tests;

/// <summary>
/// examples/dra: every document parses and the built-in ones are valid Kubernetes objects (kubernetes-models); every CEL
/// selector, the examples' and the chart's DeviceClasses', compiles and picks the devices it should with an independent
/// CEL implementation (tests/tools/helm/cel-eval.mjs); the RayCluster's claims point at what exists.
/// </summary>
public sealed class DraExamplesTests : IDisposable
{
    private const string Driver = "gpu.raygpu.io";

    private static readonly string Examples = Path.Combine(Helm.RepositoryRoot, "examples", "dra");

    private readonly string _dir = Directory.CreateTempSubdirectory("chart-dra-examples-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static List<JsonObject> Objects() =>
        [.. Directory.GetFiles(Examples, "*.yaml").Order(StringComparer.Ordinal)
            .SelectMany(file => ManifestReader.Read(File.ReadAllText(file), Path.GetFileName(file)))
            .Select(d => Assert.IsType<JsonObject>(d.Content))];

    private static JsonObject Template(string name) =>
        Objects().Single(o => (string?)o["kind"] == "ResourceClaimTemplate" && (string?)o["metadata"]!["name"] == name);

    /// <summary>A device as a ResourceSlice of <paramref name="driver"/> publishes it, the way CEL selectors see it.</summary>
    private static JsonObject Device(string driver, string architecture) => new()
    {
        ["driver"] = driver,
        ["attributes"] = new JsonObject
        {
            [driver] = new JsonObject
            {
                ["uuid"] = "GPU-0",
                ["index"] = 0,
                ["productName"] = "NVIDIA H100 80GB HBM3",
                ["architecture"] = architecture,
                ["nvlinkDomain"] = "0",
            },
        },
        ["capacity"] = new JsonObject { [driver] = new JsonObject { ["memory"] = "80Gi" } },
    };

    [Fact]
    public async Task Examples_ParseAndTheirBuiltInObjectsAreValid()
    {
        var objects = Objects();
        Assert.Equal(["RayCluster", "ResourceClaimTemplate", "ResourceClaimTemplate"], objects.Select(o => (string)o["kind"]!).Order(StringComparer.Ordinal));
        var file = Path.Combine(_dir, "objects.json");
        await File.WriteAllTextAsync(file, new JsonArray([.. objects.Select(o => o.DeepClone())]).ToJsonString()).WaitAsync(TimeSpan.FromSeconds(10));

        var (exit, output) = await NodeTool.RunAsync("helm", "validate.mjs", file).WaitAsync(TimeSpan.FromSeconds(90));

        Assert.True(exit == 0, output);
        Assert.Contains("ok ResourceClaimTemplate/one-gpu", output, StringComparison.Ordinal);
        Assert.Contains("ok ResourceClaimTemplate/two-nvlinked-gpus", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Selectors_OfTheExamplesAndTheChartsDeviceClasses_CompileAndPickTheirDevices()
    {
        var chart = await RenderedChart.RenderAsync("--set", "nodeAgent.mode=dra").WaitAsync(TimeSpan.FromSeconds(90));
        var cases = new JsonArray();
        var expected = new Dictionary<string, bool>(StringComparer.Ordinal);
        void Add(string name, string expression, JsonObject device, bool result)
        {
            cases.Add(new JsonObject { ["name"] = name, ["expression"] = expression, ["context"] = new JsonObject { ["device"] = device } });
            expected[name] = result;
        }

        foreach (var deviceClass in chart.All("DeviceClass"))
        {
            var name = (string)deviceClass["metadata"]!["name"]!;
            var expression = (string)deviceClass["spec"]!["selectors"]![0]!["cel"]!["expression"]!;
            Add($"{name}: this driver's GPU", expression, Device(Driver, "hopper"), true);
            Add($"{name}: another driver's GPU", expression, Device("gpu.nvidia.com", "hopper"), false);
        }

        var selector = (string)Template("one-gpu")["spec"]!["spec"]!["devices"]!["requests"]![0]!["exactly"]!["selectors"]![0]!["cel"]!["expression"]!;
        Add("one-gpu: an Ampere GPU", selector, Device(Driver, "ampere"), true);
        Add("one-gpu: a Turing GPU", selector, Device(Driver, "turing"), false);
        Assert.Equal(4 + 2, cases.Count);

        var input = Path.Combine(_dir, "cel.json");
        await File.WriteAllTextAsync(input, cases.ToJsonString()).WaitAsync(TimeSpan.FromSeconds(10));
        var (exit, output) = await NodeTool.RunAsync("helm", "cel-eval.mjs", input).WaitAsync(TimeSpan.FromSeconds(90));

        Assert.True(exit == 0, output);
        var results = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToDictionary(r => (string)r["name"]!, r => (bool)r["result"]!, StringComparer.Ordinal);
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), results.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void NvLinkedTemplate_AsksForTwoGpusOfOneNvLinkDomain()
    {
        var devices = Template("two-nvlinked-gpus")["spec"]!["spec"]!["devices"]!;
        var request = devices["requests"]![0]!;

        Assert.Equal(2, (int)request["exactly"]!["count"]!);
        Assert.Equal(Driver, (string?)request["exactly"]!["deviceClassName"]);
        var constraint = Assert.Single(devices["constraints"]!.AsArray())!;
        Assert.Equal([(string)request["name"]!], constraint["requests"]!.AsArray().Select(r => (string)r!));
        // The attribute's fully qualified name: the driver's domain and the name it publishes in its ResourceSlices.
        Assert.Equal($"{Driver}/nvlinkDomain", (string?)constraint["matchAttribute"]);
    }

    [Fact]
    public void RayCluster_ClaimWorker_NamesAnExistingTemplate_AndTellsRayItsGpus()
    {
        var cluster = Objects().Single(o => (string?)o["kind"] == "RayCluster");
        var group = cluster["spec"]!["workerGroupSpecs"]!.AsArray().Single(g => (string?)g!["groupName"] == "gpu-nvlink")!;
        var pod = group["template"]!["spec"]!;
        var claim = Assert.Single(pod["resourceClaims"]!.AsArray())!;
        var container = pod["containers"]![0]!;

        var template = Template((string)claim["resourceClaimTemplateName"]!);
        Assert.Equal((string?)cluster["metadata"]!["namespace"], (string?)template["metadata"]!["namespace"]);
        Assert.Equal([(string)claim["name"]!], container["resources"]!["claims"]!.AsArray().Select(c => (string)c!["name"]!));
        Assert.Null(container["resources"]!["limits"]!["nvidia.com/gpu"]);
        var count = (int)template["spec"]!["spec"]!["devices"]!["requests"]![0]!["exactly"]!["count"]!;
        Assert.Equal(count.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)group["rayStartParams"]!["num-gpus"]);
    }
}
