using System.Globalization;
using System.Text.Json.Nodes;
using CsCheck;
using k8s;
using k8s.Models;
using Platform.Webhook.Mutation;
using Platform.Webhook.Policy;
using Platform.Webhook.Tests.TestSupport;

namespace Platform.Webhook.Tests.Mutation;

/// <summary>Random valid KubeRay pods (tolerations, node selectors, affinity, resources, env and args drawn from
/// pools that include what the policy itself writes, repeats and clashes): the core never fails on them, its
/// patch applies with an independent RFC 6902 implementation, the result is a valid pod on which Ray and
/// Kubernetes agree, and a second run yields no operations.</summary>
public class TemplateMutatorPropertyTests
{
    private static readonly GpuPolicy Policy = TestPolicies.ExamplePolicy;

    private static readonly Gen<JsonObject> Tolerations = Gen.Select(
        Gen.OneOf("nvidia.com/gpu", "ray.io/node-type", "dedicated", "example.com/pool", string.Empty),
        Gen.OneOf<string?>("Exists", "Equal", string.Empty, null),
        Gen.OneOf("worker", "h100", "x"),
        Gen.OneOf<string?>("NoSchedule", "NoExecute", "PreferNoSchedule", null),
        (key, op, value, effect) =>
        {
            var toleration = new JsonObject();
            var exists = op == "Exists" || key.Length == 0;
            if (key.Length > 0)
            {
                toleration["key"] = key;
            }

            toleration["operator"] = exists ? "Exists" : op;
            if (!exists)
            {
                toleration["value"] = value;
            }

            if (effect is not null)
            {
                toleration["effect"] = effect;
            }

            return toleration;
        });

    private static readonly Gen<JsonObject?> NodeSelectors = Gen.Select(
        Gen.OneOf<string?>(null, "NVIDIA-A10G", "Tesla-T4", "NVIDIA-H100-80GB-HBM3"),
        Gen.OneOf<string?>(null, "gpu", "system"),
        Gen.Bool,
        (product, pool, present) => present
            ? new JsonObject([.. new[] { ("nvidia.com/gpu.product", product), ("pool", pool) }.Where(p => p.Item2 is not null).Select(p => KeyValuePair.Create(p.Item1, (JsonNode?)p.Item2))])
            : null);

    private static readonly Gen<JsonObject> Requirements = Gen.Select(
        Gen.OneOf("topology.kubernetes.io/zone", "nvidia.com/gpu.present", "pool"),
        Gen.OneOf("In", "NotIn", "Exists"),
        Gen.OneOf("us-east-1a", "true", "system"),
        (key, op, value) => op == "Exists"
            ? new JsonObject { ["key"] = key, ["operator"] = op }
            : new JsonObject { ["key"] = key, ["operator"] = op, ["values"] = new JsonArray(value) });

    private static readonly Gen<JsonObject?> Affinities = Gen.Select(
        Gen.Int[0, 3],
        Requirements.Array[0, 3],
        Gen.Bool,
        (terms, expressions, antiAffinity) =>
        {
            var affinity = new JsonObject();
            if (terms > 0)
            {
                var list = new JsonArray();
                for (var t = 0; t < terms; t++)
                {
                    list.Add(new JsonObject { ["matchExpressions"] = new JsonArray([.. expressions.Skip(t).Select(e => (JsonNode)e.DeepClone())]) });
                }

                affinity["nodeAffinity"] = new JsonObject { ["requiredDuringSchedulingIgnoredDuringExecution"] = new JsonObject { ["nodeSelectorTerms"] = list } };
            }

            if (antiAffinity)
            {
                affinity["podAntiAffinity"] = JsonNode.Parse("""{"requiredDuringSchedulingIgnoredDuringExecution":[{"topologyKey":"kubernetes.io/hostname"}]}""");
            }

            return affinity.Count == 0 ? null : affinity;
        });

    /// <summary>The GPU limit (none, a count as text or number), whether requests repeat it, and the
    /// <c>--num-gpus</c> KubeRay wrote (none, agreeing or not).</summary>
    private static readonly Gen<(JsonNode? Limit, bool Requests, int? NumGpus, string Args)> Resources = Gen.Select(
        Gen.OneOf<JsonNode?>(null, "0", "1", "2", "8", JsonValue.Create(1)),
        Gen.Bool,
        Gen.OneOf<int?>(null, 1, 2, 8),
        Gen.OneOf("ray", "python serve.py", "none"),
        (limit, requests, numGpus, args) => (limit, requests, numGpus, args));

    private static readonly Gen<(string Base, string? Profile, string Namespace)> Identity = Gen.Select(
        Gen.OneOf(Fixtures.GpuWorker, Fixtures.WorkerWithoutGpuLimit, Fixtures.CpuWorker, Fixtures.HeadWithAutoscaler),
        Gen.OneOf<string?>(null, "a10g", "h100x8"),
        Gen.OneOf("ml-team", "default"),
        (pod, profile, ns) => (pod, profile, ns));

    private static readonly Gen<(JsonObject Pod, string Namespace)> Pods = Gen.Select(
        Identity,
        Tolerations.Array[0, 12],
        NodeSelectors,
        Affinities,
        Resources,
        Gen.OneOf("A", "NVIDIA_VISIBLE_DEVICES", "B").Array[0, 3],
        (identity, tolerations, selector, affinity, resources, extraEnv) =>
            (Build(identity.Base, identity.Profile, tolerations, selector, affinity, resources, extraEnv), identity.Namespace));

    [Fact]
    public void RandomValidPods_PatchApplies_PodStaysValid_RayAgrees_SecondRunIsEmpty() =>
        Pods.Sample(
            sample =>
            {
                var (pod, ns) = sample;
                var result = PodMutator.Mutate(pod, ns, Policy);

                Assert.NotEqual(MutationDecision.Failed, result.Decision);
                if (result.Decision != MutationDecision.Patched)
                {
                    Assert.Empty(result.Patch);
                    return;
                }

                var patched = IndependentJsonPatch.Apply(pod, result.Patch);
                AssertValid(patched);
                AssertRayAgrees(patched);
                AssertNoToleratonAddedTwice(pod, patched);
                var again = PodMutator.Mutate(patched, ns, Policy);
                Assert.Equal(MutationDecision.Unchanged, again.Decision);
                Assert.Empty(again.Patch);
            },
            iter: 400,
            threads: 1,
            print: sample => $"{sample.Namespace}: {sample.Pod.ToJsonString()}");

    private static JsonObject Build(
        string fixture,
        string? profile,
        JsonObject[] tolerations,
        JsonObject? selector,
        JsonObject? affinity,
        (JsonNode? Limit, bool Requests, int? NumGpus, string Args) resources,
        string[] extraEnv)
    {
        var pod = Fixtures.Pod(fixture);
        var spec = pod["spec"]!.AsObject();
        if (profile is not null)
        {
            pod["metadata"]!["annotations"] = new JsonObject { [PolicyAnnotations.Profile] = profile };
        }

        spec["tolerations"] = new JsonArray([.. tolerations.Select(t => (JsonNode)t.DeepClone())]);
        spec.Remove("nodeSelector");
        if (selector is not null)
        {
            spec["nodeSelector"] = selector.DeepClone();
        }

        spec.Remove("affinity");
        if (affinity is not null)
        {
            spec["affinity"] = affinity.DeepClone();
        }

        var container = spec["containers"]![0]!.AsObject();
        var limits = new JsonObject { ["cpu"] = "1" };
        var requests = new JsonObject { ["cpu"] = "1" };
        if (resources.Limit is not null)
        {
            limits["nvidia.com/gpu"] = resources.Limit.DeepClone();
            if (resources.Requests)
            {
                requests["nvidia.com/gpu"] = resources.Limit.DeepClone();
            }
        }

        container["resources"] = new JsonObject { ["limits"] = limits, ["requests"] = requests };
        var flag = resources.NumGpus is { } n ? $" --num-gpus={n.ToString(CultureInfo.InvariantCulture)}" : string.Empty;
        var line = $"ray start --address=h:6379 --block{flag} --num-cpus=1";
        container["args"] = resources.Args switch
        {
            "ray" => new JsonArray($"ulimit -n 65536; {line}"),
            "none" => null,
            var other => new JsonArray(other),
        };
        if (container["args"] is null)
        {
            container.Remove("args");
        }

        var env = new JsonArray { new JsonObject { ["name"] = RayEnv.GeneratedStartCommand, ["value"] = line } };
        foreach (var name in extraEnv.Distinct())
        {
            env.Add(new JsonObject { ["name"] = name, ["value"] = "x" });
        }

        container["env"] = env;
        return pod;
    }

    private static void AssertValid(JsonObject pod)
    {
        var typed = KubernetesJson.Deserialize<V1Pod>(pod.ToJsonString());
        Assert.NotNull(typed);
        foreach (var container in typed.Spec.Containers)
        {
            var requests = container.Resources?.Requests;
            var limits = container.Resources?.Limits;
            if (requests is not null && requests.TryGetValue("nvidia.com/gpu", out var request))
            {
                Assert.True(limits is not null && limits.TryGetValue("nvidia.com/gpu", out var limit) && limit.ToDecimal() == request.ToDecimal(), $"{container.Name}: GPU request without an equal limit");
            }

            Assert.All(container.Env ?? [], e => Assert.False(string.IsNullOrEmpty(e.Name)));
            Assert.Equal(container.Env?.Count ?? 0, container.Env?.Select(e => e.Name).Distinct().Count() ?? 0);
        }
    }

    /// <summary>Whenever the Ray container has a GPU limit, every <c>--num-gpus</c> its ray start lines carry equals it.</summary>
    private static void AssertRayAgrees(JsonObject pod)
    {
        var container = pod["spec"]!["containers"]![0]!.AsObject();
        if (ContainerGpus.Read(container, Policy, out _) is not (> 0 and var gpus))
        {
            return;
        }

        var lines = new List<string?> { (string?)container["args"]?[0] };
        lines.AddRange(container["env"]!.AsArray().Where(e => (string?)e!["name"] == RayEnv.GeneratedStartCommand).Select(e => (string?)e!["value"]));
        foreach (var line in lines.OfType<string>().Where(l => l.Contains("--num-gpus", StringComparison.Ordinal)))
        {
            Assert.Contains($"--num-gpus={gpus} ", line, StringComparison.Ordinal);
        }
    }

    /// <summary>The webhook may add a toleration only when the pod has none like it: every toleration identity
    /// occurs at most as often as before, or once when it was missing.</summary>
    private static void AssertNoToleratonAddedTwice(JsonObject before, JsonObject after)
    {
        static Dictionary<TolerationIdentity, int> Count(JsonObject pod) =>
            (pod["spec"]!["tolerations"] as JsonArray ?? []).OfType<JsonObject>().GroupBy(TolerationJson.IdentityOf).ToDictionary(g => g.Key, g => g.Count());

        var was = Count(before);
        foreach (var (identity, count) in Count(after))
        {
            Assert.True(count <= Math.Max(1, was.GetValueOrDefault(identity)), $"toleration {identity} added though the pod had it");
        }
    }
}
