using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Webhook.Admission;
using Platform.Webhook.Mutation;
using Platform.Webhook.Policy;
using Platform.Webhook.Tests.TestSupport;

namespace Platform.Webhook.Tests.Mutation;

/// <summary>The core's table: every pod shape the tests know (KubeRay v1.7.0 fixtures and variants of them) under
/// every policy they use, in two namespaces, through each caller of the one core: the pod at the root
/// (<see cref="PodMutator"/>, what the CLI uses), the admission handler on the AdmissionReview bytes, and the
/// same pod as a template deep inside a RayCluster document. Every patch is applied with an independent RFC 6902
/// implementation, must yield the mutated pod, and a second run on the result must yield no operations.</summary>
public class TemplateMutatorTableTests
{
    private const string Uid = "5e1a7c2b-0000-4000-8000-0000000000aa";
    private const string Location = "/spec/workerGroupSpecs/1/template";

    private static readonly string[] Namespaces = ["ml-team", "default"];

    private static readonly Dictionary<string, Func<JsonObject>> Pods = BuildPods();

    private static readonly Dictionary<string, Func<GpuPolicy>> Policies = new()
    {
        ["default"] = () => GpuPolicy.Default,
        ["example"] = () => TestPolicies.ExamplePolicy,
        ["head-protection-off"] = () => TestPolicies.Parse("version: v1\nhead: {avoidGpuNodes: false, hideGpus: false}"),
        ["custom-resource-name"] = () => TestPolicies.Parse("version: v1\ngpuResourceName: example.com/gpu\nprofiles: {one: {gpus: 1}}\nrules: [{profile: one}]"),
        ["long-profile-name"] = () => TestPolicies.Parse("""
            version: v1
            profiles:
              a-very-long-profile-name-that-goes-on-and-on-and-on-for-63-char:
                gpus: 3
            """),
        ["catch-all-rule"] = () => GpuPolicy.Default with
        {
            Profiles = new Dictionary<string, GpuProfile> { ["p"] = new("p", 1, false, new Dictionary<string, string>(), [], []) },
            Rules = [new ProfileRule("p", null, null, null)],
        },
        ["a10g-bench"] = () => TestPolicies.Parse("version: v1\nprofiles:\n  a10g:\n    gpus: 1\n    nodeSelector:\n      nvidia.com/gpu.product: NVIDIA-A10G\nrules:\n  - profile: a10g\n    clusters: [\"raycluster-*\"]"),
    };

    public static TheoryData<string, string, string> Table()
    {
        var table = new TheoryData<string, string, string>();
        foreach (var pod in Pods.Keys)
        {
            foreach (var policy in Policies.Keys)
            {
                foreach (var ns in Namespaces)
                {
                    table.Add(pod, policy, ns);
                }
            }
        }

        return table;
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void Handler_GivesExactlyThePodResult(string podName, string policyName, string ns)
    {
        var pod = Pods[podName]();
        var policy = Policies[policyName]();
        var expected = PodMutator.Mutate(pod, ns, policy);
        var review = Fixtures.Review(pod, uid: Uid);
        review["request"]!["namespace"] = ns;

        var outcome = Handler(policy).Handle(Encoding.UTF8.GetBytes(review.ToJsonString()));

        var actual = outcome.Mutation ?? throw new InvalidOperationException($"no mutation for {podName}: {outcome.Decision}");
        MutationResultAssert.Same(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void Patch_AppliesIndependently_YieldsTheMutatedPod_AndIsIdempotent(string podName, string policyName, string ns)
    {
        var pod = Pods[podName]();
        var policy = Policies[policyName]();

        var result = PodMutator.Mutate(pod, ns, policy);

        if (result.Decision != MutationDecision.Patched)
        {
            Assert.Empty(result.Patch);
            return;
        }

        var applied = IndependentJsonPatch.Apply(pod, result.Patch);
        Assert.True(JsonNode.DeepEquals(applied, result.MutatedPod), $"{podName}: the patch does not reproduce the mutated pod");
        var again = PodMutator.Mutate(applied, ns, policy);
        Assert.Equal(MutationDecision.Unchanged, again.Decision);
        Assert.Empty(again.Patch);
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void TemplateAtANonRootLocation_GivesThePodResultAtThatLocation(string podName, string policyName, string ns)
    {
        var pod = Pods[podName]();
        var policy = Policies[policyName]();
        var atRoot = PodMutator.Mutate(pod, ns, policy);
        var cluster = new JsonObject
        {
            ["apiVersion"] = "ray.io/v1",
            ["kind"] = "RayCluster",
            ["spec"] = new JsonObject
            {
                ["workerGroupSpecs"] = new JsonArray(new JsonObject { ["groupName"] = "cpu" }, new JsonObject { ["groupName"] = "gpu", ["template"] = pod.DeepClone() }),
            },
        };
        using var document = JsonDocument.Parse(cluster.ToJsonString());
        var template = document.RootElement.GetProperty("spec").GetProperty("workerGroupSpecs")[1].GetProperty("template");

        var located = TemplateMutator.Mutate(template, Location, RayPodClassifier.Classify(template), ns, policy, keepMutated: false, CancellationToken.None);

        Assert.Equal(atRoot.Decision, located.Decision);
        Assert.Equal(atRoot.Warnings, located.Warnings);
        Assert.Equal(atRoot.AuditAnnotations.OrderBy(a => a.Key), located.AuditAnnotations.OrderBy(a => a.Key));
        Assert.Equal(atRoot.Message, located.Message);
        Assert.Equal(atRoot.Patch.Select(op => (op.Op, Location + op.Path, op.Value?.ToJsonString())), located.Patch.Select(op => (op.Op, op.Path, op.Value?.ToJsonString())));
        if (located.Decision == MutationDecision.Patched)
        {
            var patched = IndependentJsonPatch.Apply(cluster, located.Patch);
            Assert.True(JsonNode.DeepEquals(atRoot.MutatedPod, patched["spec"]!["workerGroupSpecs"]![1]!["template"]), $"{podName}: the located patch changes the template differently");
            Assert.True(JsonNode.DeepEquals(cluster["spec"]!["workerGroupSpecs"]![0], patched["spec"]!["workerGroupSpecs"]![0]), "the located patch touched another group");
        }
    }

    [Fact]
    public void Table_CoversEveryDecision()
    {
        var decisions = new HashSet<MutationDecision>();
        foreach (var make in Pods.Values)
        {
            foreach (var policy in Policies.Values)
            {
                decisions.Add(PodMutator.Mutate(make(), "ml-team", policy()).Decision);
            }
        }

        Assert.Equal(Enum.GetValues<MutationDecision>().ToHashSet(), decisions);
    }

    private static Dictionary<string, Func<JsonObject>> BuildPods()
    {
        var pods = new Dictionary<string, Func<JsonObject>>();
        foreach (var file in Directory.GetFiles(Path.Combine(Fixtures.Directory, "pods"), "*.json"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            pods[name] = () => Fixtures.Pod(name);
        }

        pods["hosting-gpu-worker"] = () => JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Hosting", "Pods", "gpu-worker-admission-review.json")))!["request"]!["object"]!.DeepClone().AsObject();
        pods["head-existing-affinity-and-anti-affinity"] = () =>
        {
            var head = Fixtures.Pod(Fixtures.HeadWithAutoscaler);
            head["spec"]!["affinity"] = JsonNode.Parse("""
                {"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
                  {"matchExpressions":[{"key":"pool","operator":"In","values":["system"]}]},
                  {"matchFields":[{"key":"metadata.name","operator":"In","values":["n1"]}]}]}},
                 "podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[{"labelSelector":{"matchLabels":{"ray.io/node-type":"head"}},"topologyKey":"kubernetes.io/hostname"}]}}
                """);
            return head;
        };
        pods["head-only-anti-affinity"] = () =>
        {
            var head = Fixtures.Pod(Fixtures.HeadWithAutoscaler);
            head["spec"]!["affinity"] = JsonNode.Parse("""{"podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":10,"podAffinityTerm":{"topologyKey":"kubernetes.io/hostname"}}]}}""");
            return head;
        };
        pods["head-user-visible-devices"] = () =>
        {
            var head = Fixtures.Pod(Fixtures.HeadWithAutoscaler);
            head["spec"]!["containers"]![0]!["env"]!.AsArray().Add(new JsonObject { ["name"] = "NVIDIA_VISIBLE_DEVICES", ["value"] = "none" });
            return head;
        };
        pods["head-with-gpu-limit"] = () =>
        {
            var head = Fixtures.Pod(Fixtures.HeadWithAutoscaler);
            head["spec"]!["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"] = "1";
            return head;
        };
        pods["head-with-init-container-and-probes"] = () =>
        {
            var head = Fixtures.Pod(Fixtures.HeadWithAutoscaler);
            head["spec"]!["initContainers"] = JsonNode.Parse("""[{"name":"init","image":"busybox","env":[{"name":"A","value":"b"}]}]""");
            head["spec"]!["containers"]![0]!["livenessProbe"] = JsonNode.Parse("""{"exec":{"command":["true"]}}""");
            return head;
        };
        pods["worker-h100x8-enforced"] = () => WithAnnotation(Fixtures.Pod(Fixtures.GpuWorker), "raygpu.io/profile", "h100x8");
        pods["worker-h100x8-with-anti-affinity"] = () =>
        {
            var worker = WithAnnotation(Fixtures.Pod(Fixtures.GpuWorker), "raygpu.io/profile", "h100x8");
            worker["spec"]!["affinity"] = JsonNode.Parse("""{"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[{"topologyKey":"kubernetes.io/hostname"}]}}""");
            return worker;
        };
        pods["worker-no-limit-h100x8"] = () => WithAnnotation(Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit), "raygpu.io/profile", "h100x8");
        pods["worker-a10g-keeps-two"] = () =>
        {
            var worker = WithAnnotation(Fixtures.Pod(Fixtures.GpuWorker), "raygpu.io/profile", "a10g");
            worker["spec"]!["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"] = "2";
            worker["spec"]!["containers"]![0]!["resources"]!["requests"]!["nvidia.com/gpu"] = "2";
            return worker;
        };
        pods["worker-unknown-profile"] = () => WithAnnotation(Fixtures.Pod(Fixtures.GpuWorker), "raygpu.io/profile", "a100");
        pods["worker-long-profile"] = () => WithAnnotation(Fixtures.Pod(Fixtures.GpuWorker), "raygpu.io/profile", "a-very-long-profile-name-that-goes-on-and-on-and-on-for-63-char");
        pods["worker-conflicting-node-selector"] = () =>
        {
            var worker = Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit);
            worker["spec"]!["nodeSelector"] = new JsonObject { ["nvidia.com/gpu.product"] = "Tesla-T4" };
            return worker;
        };
        pods["worker-tolerations-present"] = () =>
        {
            var worker = Fixtures.Pod(Fixtures.GpuWorker);
            worker["spec"]!["tolerations"]!.AsArray().Add(JsonNode.Parse("""{"key":"ray.io/node-type","value":"worker","effect":"NoSchedule"}"""));
            worker["spec"]!["tolerations"]!.AsArray().Add(JsonNode.Parse("""{"key":"nvidia.com/gpu","operator":"Exists","effect":"NoSchedule"}"""));
            return worker;
        };
        pods["worker-without-annotations-tolerations-resources"] = () =>
        {
            var worker = Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit);
            worker["spec"]!.AsObject().Remove("tolerations");
            worker["spec"]!["containers"]![0]!.AsObject().Remove("resources");
            worker["metadata"]!.AsObject().Remove("annotations");
            return worker;
        };
        pods["worker-custom-command"] = () =>
        {
            var worker = Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit);
            worker["spec"]!["containers"]![0]!["args"] = new JsonArray("python serve.py");
            worker["spec"]!["containers"]![0]!["command"] = new JsonArray("/bin/bash", "-c");
            return worker;
        };
        pods["worker-tolerations-wrong-type"] = () =>
        {
            var worker = Fixtures.Pod(Fixtures.GpuWorker);
            worker["spec"]!["tolerations"] = "none";
            return worker;
        };
        pods["worker-no-containers"] = () =>
        {
            var worker = Fixtures.Pod(Fixtures.GpuWorker);
            worker["spec"]!["containers"] = new JsonArray();
            return worker;
        };
        pods["worker-null-and-odd-containers"] = () =>
        {
            var worker = Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit);
            worker["spec"]!["containers"]!.AsArray().Add(null);
            worker["spec"]!["containers"]!.AsArray().Add("sidecar");
            return worker;
        };
        pods["worker-spec-only-skipped-fields"] = () =>
        {
            var worker = Fixtures.Pod(Fixtures.WorkerWithoutGpuLimit);
            worker["spec"] = JsonNode.Parse("""{"volumes":[],"restartPolicy":"Never"}""");
            return worker;
        };
        pods["worker-spec-wrong-type"] = () =>
        {
            var worker = Fixtures.Pod(Fixtures.GpuWorker);
            worker["spec"] = "nope";
            return worker;
        };
        pods["worker-fpga-request-without-limit"] = () =>
        {
            var worker = Fixtures.Pod(Fixtures.CpuWorker);
            worker["spec"]!["containers"]![0]!["resources"]!["requests"]!["example.com/fpga"] = "1";
            return worker;
        };
        pods["worker-numeric-gpu-limit"] = () =>
        {
            var worker = WithAnnotation(Fixtures.Pod(Fixtures.GpuWorker), "raygpu.io/profile", "h100x8");
            worker["spec"]!["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"] = 1;
            worker["spec"]!["containers"]![0]!["resources"]!["requests"]!["nvidia.com/gpu"] = 1.0;
            return worker;
        };
        // Odd but valid shapes (null sections, operator-less, repeated or numeric fields, escaped text): the core must handle each.
        pods["worker-null-sections"] = () => WithSpec(WithMetadata(Fixtures.Pod(Fixtures.GpuWorker), "annotations", null), ("tolerations", null), ("nodeSelector", null));
        pods["worker-empty-tolerations"] = () => WithSpec(Fixtures.Pod(Fixtures.GpuWorker), ("tolerations", new JsonArray()));
        pods["worker-tolerations-without-operator"] = () => WithSpec(Fixtures.Pod(Fixtures.GpuWorker), ("tolerations", JsonNode.Parse("""
            [{"key":"nvidia.com/gpu","operator":"Exists","effect":"NoSchedule"},{"key":"ray.io/node-type","operator":"","value":"worker","effect":"NoSchedule"},{"key":"","effect":"NoExecute"}]
            """)));
        pods["worker-toleration-numeric-key"] = () => WithSpec(Fixtures.Pod(Fixtures.GpuWorker), ("tolerations", JsonNode.Parse("""[{"key":5,"effect":"NoSchedule"}]""")));
        pods["worker-toleration-not-an-object"] = () => WithSpec(Fixtures.Pod(Fixtures.GpuWorker), ("tolerations", new JsonArray("x")));
        pods["worker-duplicate-tolerations"] = () => WithSpec(Fixtures.Pod(Fixtures.GpuWorker), ("tolerations", JsonNode.Parse("""[{"key":"a","operator":"Exists"},{"key":"a","operator":"Exists"}]""")));
        pods["worker-toleration-seconds"] = () => WithSpec(Fixtures.Pod(Fixtures.GpuWorker), ("tolerations", JsonNode.Parse("""[{"key":"a","operator":"Exists","effect":"NoExecute","tolerationSeconds":30},{"key":"b","operator":"Exists","tolerationSeconds":1.5}]""")));
        pods["worker-node-selector-odd-values"] = () => WithSpec(Fixtures.Pod(Fixtures.GpuWorker), ("nodeSelector", JsonNode.Parse("""{"nvidia.com/gpu.product":5,"pool":true}""")));
        pods["worker-node-selector-other-key-not-a-string"] = () => WithSpec(Fixtures.Pod(Fixtures.GpuWorker), ("nodeSelector", JsonNode.Parse("""{"pool":7}""")));
        pods["worker-node-selector-null-value"] = () => WithSpec(Fixtures.Pod(Fixtures.GpuWorker), ("nodeSelector", JsonNode.Parse("""{"nvidia.com/gpu.product":null,"pool":"gpu"}""")));
        pods["worker-node-selector-string"] = () => WithSpec(Fixtures.Pod(Fixtures.GpuWorker), ("nodeSelector", "x"));
        pods["worker-annotations-string"] = () => WithMetadata(Fixtures.Pod(Fixtures.GpuWorker), "annotations", "x");
        pods["worker-annotation-not-a-string"] = () => WithMetadata(Fixtures.Pod(Fixtures.GpuWorker), "annotations", new JsonObject { ["count"] = 1 });
        pods["worker-policy-annotation-same"] = () => WithAnnotation(Fixtures.Pod(Fixtures.GpuWorker), "raygpu.io/policy", "a10g");
        pods["worker-policy-annotation-other"] = () => WithAnnotation(Fixtures.Pod(Fixtures.GpuWorker), "raygpu.io/policy", "old");
        pods["worker-policy-annotation-number"] = () => WithMetadata(Fixtures.Pod(Fixtures.GpuWorker), "annotations", new JsonObject { ["raygpu.io/policy"] = 7 });
        pods["worker-profile-annotation-not-a-string"] = () => WithMetadata(Fixtures.Pod(Fixtures.GpuWorker), "annotations", new JsonObject { ["raygpu.io/profile"] = 1 });
        pods["worker-escaped-text"] = () =>
        {
            // The serializer escapes '+' and '<': the values reach the webhook as \u002B and \u003C.
            var worker = WithAnnotation(Fixtures.Pod(Fixtures.GpuWorker), "note", "a+b<c");
            worker["metadata"]!["labels"]!["ray.io/cluster"] = "raycluster+gpu";
            worker["spec"]!["nodeSelector"] = new JsonObject { ["zone"] = "a+b" };
            return worker;
        };
        foreach (var (name, limit) in new (string, JsonNode?)[] { ("zero-padded", "01"), ("fraction", 1.5), ("integral-fraction", JsonNode.Parse("1.0")), ("bool", true), ("null", null), ("object", new JsonObject()), ("text", "one"), ("zero", "0"), ("negative", -1) })
        {
            pods["worker-gpu-limit-" + name] = () =>
            {
                var worker = Fixtures.Pod(Fixtures.GpuWorker);
                worker["spec"]!["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"] = limit?.DeepClone();
                return worker;
            };
        }

        pods["worker-limits-not-an-object"] = () =>
        {
            var worker = Fixtures.Pod(Fixtures.GpuWorker);
            worker["spec"]!["containers"]![0]!["resources"]!["limits"] = "none";
            return worker;
        };
        pods["worker-first-container-not-an-object"] = () => WithSpec(Fixtures.Pod(Fixtures.GpuWorker), ("containers", new JsonArray("ray")));
        foreach (var fixture in new[] { Fixtures.RedisCleanup, Fixtures.RayJobSubmitter, Fixtures.PlainPod })
        {
            pods[fixture + "-unknown-profile"] = () => WithAnnotation(Fixtures.Pod(fixture), "raygpu.io/profile", "unknown");
        }

        return pods;
    }

    private static JsonObject WithMetadata(JsonObject pod, string name, JsonNode? value)
    {
        pod["metadata"]![name] = value;
        return pod;
    }

    private static JsonObject WithSpec(JsonObject pod, params (string Name, JsonNode? Value)[] fields)
    {
        foreach (var (name, value) in fields)
        {
            pod["spec"]![name] = value;
        }

        return pod;
    }

    private static JsonObject WithAnnotation(JsonObject pod, string key, string value)
    {
        var annotations = pod["metadata"]!["annotations"] as JsonObject ?? new JsonObject();
        annotations[key] = value;
        pod["metadata"]!["annotations"] = annotations;
        return pod;
    }

    private static AdmissionHandler Handler(GpuPolicy policy) => TestHandlers.For(policy, OnErrorAction.Allow);
}
